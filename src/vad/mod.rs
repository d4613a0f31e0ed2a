//! Voice activity detection, one detector per side: a frame classifier scores each 10 ms
//! frame, and [`SpeechTracker`] turns those raw decisions into speech edges whose end is the
//! true end of speech (hangover only delays the decision, it never stretches the segment).

use crate::timeline::Samples;

/// Classifies one analysis frame as speech or not. Implementations allocate everything
/// at construction: `classify` must not allocate.
pub trait FrameClassifier: Send {
    /// Classifies one frame of [`crate::timeline::FRAME_LEN_SAMPLES`] samples at the analysis rate.
    /// `reference` is the other side's frame at the same instant, when the caller has it
    /// (the far end, for the rep's microphone: lets a detector reject headset bleed).
    fn classify(&mut self, frame: &[f32], reference: Option<&[f32]>) -> bool;
}

/// A change of speech state on one side, at an exact sample position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Edge {
    /// Speech starts at this sample.
    Start(Samples),
    /// Speech ends at this sample (exclusive): the true end, back-dated past any hangover.
    End(Samples),
}
