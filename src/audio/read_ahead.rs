//! A frame source read ahead on a thread of its own: a recording's decoding and resampling
//! (about a third of `analyze`'s time) run beside the analysis instead of before each
//! frame of it. Frames go over in batches through a bounded channel, and the emptied
//! batches come back to be filled again, so nothing is allocated per frame and at most
//! [`BATCHES`] batches are read ahead. What the consumer sees is exactly what the source
//! gives, in order: every frame, then its end or its error, its warnings and its dropped
//! counts; a panic in the source is carried over and resumed in the consumer, where the
//! session's driver catches it as it catches a panic of a source on its own thread.

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Mutex;

use crossbeam_channel::{Receiver, Sender, bounded};

use super::source::{FrameFill, FrameSource, SourceError};
use crate::timeline::FRAME_LEN_SAMPLES;
use crate::warning::Warning;

/// Frames handed over together (0.64 s of audio): one wake-up of the consumer per batch.
const BATCH_FRAMES: usize = 64;
/// Batches read ahead or being read (about 330 kB of frames in all).
const BATCHES: usize = 4;

/// Frames of both sides, back to back.
struct Batch {
    rep: Box<[f32]>,
    prospect: Box<[f32]>,
    /// Valid samples of each frame taken so far.
    valid: Vec<usize>,
    /// The source's dropped counts after the batch's last frame.
    dropped: [u64; 2],
}

impl Batch {
    fn new() -> Batch {
        Batch {
            rep: vec![0.0; BATCH_FRAMES * FRAME_LEN_SAMPLES].into_boxed_slice(),
            prospect: vec![0.0; BATCH_FRAMES * FRAME_LEN_SAMPLES].into_boxed_slice(),
            valid: Vec::with_capacity(BATCH_FRAMES),
            dropped: [0, 0],
        }
    }

    fn frame(&self, k: usize) -> (&[f32], &[f32]) {
        let at = k * FRAME_LEN_SAMPLES..(k + 1) * FRAME_LEN_SAMPLES;
        (&self.rep[at.clone()], &self.prospect[at])
    }
}

/// What the reading thread sends.
enum Ahead {
    Frames(Batch),
    /// The source ended (`Ok`) or failed; what it says at its end.
    End {
        result: Result<(), SourceError>,
        warnings: Vec<Warning>,
        dropped: [u64; 2],
    },
    /// The source panicked.
    Panicked(Box<dyn Any + Send>),
}

/// Runs `run` on `source` read ahead on a thread of its own, and returns what `run`
/// returns. When the thread cannot be started, `run` reads `source` itself.
pub fn read_ahead<R>(
    source: &mut (dyn FrameSource + Send),
    run: impl FnOnce(&mut dyn FrameSource) -> R,
) -> R {
    let (to_consumer, from_reader) = bounded::<Ahead>(BATCHES);
    let (return_spare, spare) = bounded::<Batch>(BATCHES);
    for _ in 0..BATCHES {
        let _ = return_spare.send(Batch::new());
    }
    // The source goes to the thread through this slot, so that it is still here to be
    // read directly when the thread cannot be started.
    let slot = Mutex::new(Some(source));
    std::thread::scope(|scope| {
        let started = std::thread::Builder::new()
            .name("tacet-read".into())
            .spawn_scoped(scope, || {
                let taken = slot.lock().ok().and_then(|mut s| s.take());
                if let Some(source) = taken {
                    read(source, &to_consumer, &spare);
                }
                // Dropping the sender ends the consumer's wait, whatever happened.
                drop(to_consumer);
            });
        if started.is_err() {
            let taken = slot.lock().ok().and_then(|mut s| s.take());
            return match taken {
                Some(source) => run(source),
                None => run(&mut Ended),
            };
        }
        let mut ahead = ReadAhead {
            from_reader,
            return_spare,
            current: None,
            at: 0,
            ended: false,
            dropped: [0, 0],
            warnings: Vec::new(),
        };
        // When `run` stops early, dropping `ahead` closes the channels, and the reading
        // thread's next send or wait fails, so the scope's end does not wait on it.
        run(&mut ahead)
    })
}

/// The reading thread: fills the spare batches from `source` until it ends.
fn read(
    source: &mut (dyn FrameSource + Send),
    to_consumer: &Sender<Ahead>,
    spare: &Receiver<Batch>,
) {
    loop {
        let Ok(mut batch) = spare.recv() else {
            return;
        };
        batch.valid.clear();
        let mut end = None;
        while batch.valid.len() < BATCH_FRAMES {
            let at =
                batch.valid.len() * FRAME_LEN_SAMPLES..(batch.valid.len() + 1) * FRAME_LEN_SAMPLES;
            let (rep, prospect) = (&mut batch.rep[at.clone()], &mut batch.prospect[at]);
            match catch_unwind(AssertUnwindSafe(|| source.next_frame(rep, prospect))) {
                Ok(Ok(Some(fill))) => batch.valid.push(fill.valid_samples),
                Ok(Ok(None)) => {
                    end = Some(Ok(()));
                    break;
                }
                Ok(Err(e)) => {
                    end = Some(Err(e));
                    break;
                }
                Err(panic) => {
                    if !batch.valid.is_empty() {
                        let _ = to_consumer.send(Ahead::Frames(batch));
                    }
                    let _ = to_consumer.send(Ahead::Panicked(panic));
                    return;
                }
            }
        }
        batch.dropped = source.dropped_samples();
        if !batch.valid.is_empty() && to_consumer.send(Ahead::Frames(batch)).is_err() {
            return;
        }
        if let Some(result) = end {
            let _ = to_consumer.send(Ahead::End {
                result,
                warnings: source.warnings(),
                dropped: source.dropped_samples(),
            });
            return;
        }
    }
}

/// The consumer's side: a [`FrameSource`] over the batches read ahead.
struct ReadAhead {
    from_reader: Receiver<Ahead>,
    return_spare: Sender<Batch>,
    current: Option<Batch>,
    /// The next frame of `current`.
    at: usize,
    ended: bool,
    dropped: [u64; 2],
    warnings: Vec<Warning>,
}

impl FrameSource for ReadAhead {
    fn next_frame(
        &mut self,
        rep: &mut [f32],
        prospect: &mut [f32],
    ) -> Result<Option<FrameFill>, SourceError> {
        loop {
            if let Some(batch) = &self.current
                && self.at < batch.valid.len()
            {
                let (r, p) = batch.frame(self.at);
                rep.copy_from_slice(r);
                prospect.copy_from_slice(p);
                let valid_samples = batch.valid[self.at];
                self.at += 1;
                return Ok(Some(FrameFill { valid_samples }));
            }
            if let Some(batch) = self.current.take() {
                let _ = self.return_spare.try_send(batch);
            }
            if self.ended {
                return Ok(None);
            }
            match self.from_reader.recv() {
                Ok(Ahead::Frames(batch)) => {
                    self.dropped = batch.dropped;
                    self.current = Some(batch);
                    self.at = 0;
                }
                Ok(Ahead::End {
                    result,
                    warnings,
                    dropped,
                }) => {
                    self.ended = true;
                    self.warnings = warnings;
                    self.dropped = dropped;
                    result?;
                    return Ok(None);
                }
                Ok(Ahead::Panicked(panic)) => {
                    self.ended = true;
                    resume_unwind(panic);
                }
                // The reading thread is gone without an end (it cannot be: it always
                // sends one); the audio ends here.
                Err(_) => {
                    self.ended = true;
                    return Ok(None);
                }
            }
        }
    }

    fn dropped_samples(&self) -> [u64; 2] {
        self.dropped
    }

    fn warnings(&self) -> Vec<Warning> {
        self.warnings.clone()
    }
}

/// A source with nothing in it.
struct Ended;

impl FrameSource for Ended {
    fn next_frame(
        &mut self,
        _rep: &mut [f32],
        _prospect: &mut [f32],
    ) -> Result<Option<FrameFill>, SourceError> {
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::warning::WarningCode;

    /// Frames numbered in their samples, a short last frame, then a device error and a
    /// warning.
    struct Numbered {
        frames: usize,
        total: usize,
        panic_at: Option<usize>,
    }

    impl FrameSource for Numbered {
        fn next_frame(
            &mut self,
            rep: &mut [f32],
            prospect: &mut [f32],
        ) -> Result<Option<FrameFill>, SourceError> {
            if self.panic_at == Some(self.frames) {
                panic!("source failure injected by the test");
            }
            if self.frames == self.total {
                return Err(SourceError::Device {
                    device: "test".into(),
                    what: "gone".into(),
                });
            }
            let k = self.frames as f32;
            for (i, (r, p)) in rep.iter_mut().zip(prospect.iter_mut()).enumerate() {
                *r = k + i as f32 * 1e-3;
                *p = -k;
            }
            self.frames += 1;
            let valid_samples = if self.frames == self.total {
                7
            } else {
                FRAME_LEN_SAMPLES
            };
            Ok(Some(FrameFill { valid_samples }))
        }

        fn dropped_samples(&self) -> [u64; 2] {
            [self.frames as u64, 2]
        }

        fn warnings(&self) -> Vec<Warning> {
            vec![Warning {
                code: WarningCode::LengthsDiffer,
                party: None,
                message: "test".into(),
            }]
        }
    }

    /// One frame as read: both sides and its valid samples.
    type Read = (Vec<f32>, Vec<f32>, usize);

    /// Every frame of `source`, read directly, and how it ended.
    fn frames_of(source: &mut dyn FrameSource) -> (Vec<Read>, String) {
        let mut rep = [0f32; FRAME_LEN_SAMPLES];
        let mut prospect = [0f32; FRAME_LEN_SAMPLES];
        let mut frames = Vec::new();
        loop {
            match source.next_frame(&mut rep, &mut prospect) {
                Ok(Some(fill)) => {
                    frames.push((rep.to_vec(), prospect.to_vec(), fill.valid_samples))
                }
                Ok(None) => return (frames, "end".into()),
                Err(e) => return (frames, e.to_string()),
            }
        }
    }

    #[test]
    fn every_frame_comes_in_order_then_the_error_warnings_and_dropped_counts() {
        let total = 3 * BATCH_FRAMES + 5;
        let direct = frames_of(&mut Numbered {
            frames: 0,
            total,
            panic_at: None,
        });
        let mut source = Numbered {
            frames: 0,
            total,
            panic_at: None,
        };
        let (ahead, warnings, dropped, after) = read_ahead(&mut source, |s| {
            let got = frames_of(s);
            let mut rep = [0f32; FRAME_LEN_SAMPLES];
            let after = s
                .next_frame(&mut rep.clone(), &mut rep)
                .map(|f| f.is_none());
            (got, s.warnings(), s.dropped_samples(), after.ok())
        });
        assert_eq!(ahead, direct);
        assert_eq!(ahead.0.len(), total);
        assert_eq!(ahead.1, "audio device 'test': gone");
        assert_eq!(warnings.len(), 1);
        assert_eq!(dropped, [total as u64, 2]);
        assert_eq!(after, Some(true), "after its end the source stays ended");
    }

    #[test]
    fn a_panic_in_the_source_is_resumed_in_the_reader_after_the_frames_before_it() {
        let mut source = Numbered {
            frames: 0,
            total: 1_000,
            panic_at: Some(BATCH_FRAMES + 3),
        };
        let frames = read_ahead(&mut source, |s| {
            let mut rep = [0f32; FRAME_LEN_SAMPLES];
            let mut prospect = [0f32; FRAME_LEN_SAMPLES];
            let mut n = 0;
            let caught = catch_unwind(AssertUnwindSafe(|| {
                while let Ok(Some(_)) = s.next_frame(&mut rep, &mut prospect) {
                    n += 1;
                }
            }));
            assert!(caught.is_err(), "the panic reaches the reader");
            n
        });
        assert_eq!(frames, BATCH_FRAMES + 3);
    }

    #[test]
    fn stopping_early_does_not_wait_for_the_rest_of_the_source() {
        let mut source = Numbered {
            frames: 0,
            total: usize::MAX,
            panic_at: None,
        };
        let first = read_ahead(&mut source, |s| {
            let mut rep = [0f32; FRAME_LEN_SAMPLES];
            let mut prospect = [0f32; FRAME_LEN_SAMPLES];
            s.next_frame(&mut rep, &mut prospect)
                .map(|f| f.is_some())
                .ok()
        });
        assert_eq!(first, Some(true));
        // No more than the batches in flight were read.
        assert!(
            source.frames <= (BATCHES + 1) * BATCH_FRAMES,
            "{}",
            source.frames
        );
    }
}
