//! The live tracker: folds both parties' bridged speech, as it is decided, into the events
//! a rep sees during the call (pauses opening and closing, floor changes, interruptions,
//! monologues). Pure: time only comes in as sample counts. A silence that touches a stretch
//! with analysis paused (`p`) is not a pause, live as in the report (product.md, "paused
//! time").

use serde::Serialize;

use crate::config::Config;
use crate::conversation::engine::Thresholds;
use crate::timeline::{Party, Samples, Span, s_to_samples, samples_to_s};

/// Something that happened on the call, stamped in seconds of the master timeline.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum LiveEvent {
    /// A party started speaking.
    SpeechStart {
        /// Who.
        party: Party,
        /// When.
        t_s: f64,
    },
    /// A party stopped speaking (the segment, bridged).
    SpeechEnd {
        /// Who.
        party: Party,
        /// Segment start.
        start_s: f64,
        /// Segment end (the true end of speech).
        end_s: f64,
    },
    /// Neither party speaks since `start_s` (the true end of the last speech).
    SilenceStart {
        /// When the silence began.
        start_s: f64,
        /// Floor holder at that moment.
        after: Option<Party>,
    },
    /// The silence reached `pause_min_s`: it is a pause.
    PauseOpen {
        /// When the silence began.
        start_s: f64,
        /// Floor holder when it opened.
        after: Option<Party>,
    },
    /// A pause ended.
    PauseClose {
        /// When it began.
        start_s: f64,
        /// When it ended.
        end_s: f64,
        /// Floor holder when it opened.
        after: Option<Party>,
        /// Who spoke first: "prospect" = held, "rep" = broken, "both".
        broken_by: String,
        /// True when the prospect broke it.
        held: bool,
    },
    /// A silence that was not a pause ended: shorter than `pause_min_s`, or touching a
    /// stretch with analysis paused (then it may follow a `PauseOpen`, which it withdraws).
    SilenceEnd {
        /// When it began.
        start_s: f64,
        /// When it ended.
        end_s: f64,
    },
    /// The floor passed to `party`.
    Floor {
        /// The new floor holder.
        party: Party,
        /// When (start of the floor-taking segment).
        t_s: f64,
    },
    /// A short acknowledgement by the party without the floor.
    Backchannel {
        /// Who.
        party: Party,
        /// Start.
        start_s: f64,
        /// End.
        end_s: f64,
    },
    /// `party` started talking over the other.
    Interruption {
        /// Who interrupted.
        party: Party,
        /// When the interrupting speech started.
        t_s: f64,
    },
    /// One rep turn reached `monologue_warn_s`.
    Monologue {
        /// When the turn started.
        start_s: f64,
        /// Its length so far.
        length_s: f64,
        /// A question that hands the buyer the wheel.
        question: String,
    },
    /// A call began (a working day split into calls): reported once the other side
    /// answered, so up to `call_start_window_s` after the time it names.
    CallStart {
        /// The call's number in the session, from 1.
        call: usize,
        /// Where it starts (the whole frame holding its first speech).
        start_s: f64,
    },
    /// A call ended (nobody spoke for `call_end_silence_s`, or the session ended): its
    /// report is ready to be saved.
    CallEnd {
        /// The call's number in the session, from 1.
        call: usize,
        /// Where it started.
        start_s: f64,
        /// Where it ended.
        end_s: f64,
    },
}

/// Live tracker thresholds, in samples: the engine's, and the monologue cue's.
#[derive(Debug, Clone)]
struct Limits {
    rules: Thresholds,
    monologue_warn: Samples,
    monologue_cooldown: Samples,
}

/// A segment of the party without the floor that may still turn out to be a backchannel.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    party: Party,
    start: Samples,
}

/// Streaming state machine behind the live cues.
#[derive(Debug, Clone)]
pub struct LiveTracker {
    limits: Limits,
    questions: Vec<String>,
    next_question: usize,
    /// Start of each party's open (bridged) speech.
    open: [Option<Samples>; 2],
    /// End of each party's latest closed speech.
    last_end: [Option<Samples>; 2],
    /// Each party's latest closed speech: start, end, and whether it was a backchannel.
    last_span: [Option<(Samples, Samples, bool)>; 2],
    floor: Option<Party>,
    turn_start: Samples,
    candidate: Option<Candidate>,
    /// Pending interruption checks: (party, start of its speech).
    interrupt_check: [Option<Samples>; 2],
    silence_start: Option<Samples>,
    pause_opened: bool,
    any_speech: bool,
    last_monologue_cue: Option<Samples>,
    monologue_cued_turn: Option<Samples>,
    /// Stretches with analysis paused, closed.
    paused: Vec<Span>,
    /// Start of the stretch with analysis paused now, if it is.
    paused_since: Option<Samples>,
}

impl LiveTracker {
    /// A tracker with the thresholds of `config`.
    pub fn new(config: &Config) -> LiveTracker {
        LiveTracker::fresh(
            Limits {
                rules: Thresholds::from_config(config),
                monologue_warn: s_to_samples(config.monologue_warn_s),
                monologue_cooldown: s_to_samples(config.monologue_cooldown_s),
            },
            config.monologue_questions.clone(),
        )
    }

    /// A tracker that has heard nothing yet.
    fn fresh(limits: Limits, questions: Vec<String>) -> LiveTracker {
        LiveTracker {
            limits,
            questions,
            next_question: 0,
            open: [None, None],
            last_end: [None, None],
            last_span: [None, None],
            floor: None,
            turn_start: 0,
            candidate: None,
            interrupt_check: [None, None],
            silence_start: None,
            pause_opened: false,
            any_speech: false,
            last_monologue_cue: None,
            monologue_cued_turn: None,
            paused: Vec::new(),
            paused_since: None,
        }
    }

    /// A call has ended: forgets everything about it (floor, silence, turns, pending
    /// checks, the monologue cooldown), so nothing of it carries into what comes next: the
    /// silence after it is no pause of the next call, and the next call's first speech
    /// takes the floor afresh. Speech already going on is kept (it belongs to what comes
    /// next), and so are a paused stretch still open and the turn of the questions.
    pub fn new_call(&mut self) {
        let open = self.open;
        let mut fresh =
            LiveTracker::fresh(self.limits.clone(), std::mem::take(&mut self.questions));
        fresh.next_question = self.next_question;
        fresh.paused_since = self.paused_since;
        *self = fresh;
        let mut going_on: Vec<(Samples, Party)> = [Party::Rep, Party::Prospect]
            .into_iter()
            .filter_map(|p| open[p.index()].map(|t| (t, p)))
            .collect();
        going_on.sort_by_key(|&(t, p)| (t, p.index()));
        for (t, party) in going_on {
            self.speech_start(party, t, &mut |_| {});
        }
    }

    /// Analysis is paused (`p`) from `at`, or resumed at `at`. Nothing is measured in a
    /// paused stretch, and a silence that touches one is not a pause.
    pub fn set_paused(&mut self, paused: bool, at: Samples) {
        match (paused, self.paused_since) {
            (true, None) => self.paused_since = Some(at),
            (false, Some(since)) => {
                self.paused.push(Span::new(since, at.max(since)));
                self.paused_since = None;
            }
            _ => {}
        }
    }

    /// True when `[a, b)` meets a stretch with analysis paused (one still open counts as
    /// running on), as the engine counts it for the report.
    fn meets_paused(&self, a: Samples, b: Samples) -> bool {
        self.paused_since.is_some_and(|p| p < b)
            || self.paused.iter().any(|p| p.start < b && a < p.end)
    }

    /// True when the silence in progress touches a stretch with analysis paused, so it is
    /// not a pause (the dashboard shows no hold cue for it).
    pub fn silence_touches_paused(&self) -> bool {
        self.silence_start.is_some_and(|start| {
            self.paused_since.is_some() || self.paused.iter().any(|p| p.end > start)
        })
    }

    /// The floor holder now.
    pub fn floor(&self) -> Option<Party> {
        self.floor
    }

    /// Start of the silence in progress, if neither party speaks: the true end of the last
    /// speech, or, for a silence that went on through paused analysis, where analysis
    /// resumed (paused time is not silence).
    pub fn silence_start(&self) -> Option<Samples> {
        let start = self.silence_start?;
        let resumed = self
            .paused
            .last()
            .filter(|_| self.paused_since.is_none())
            .map_or(start, |p| p.end.max(start));
        Some(resumed)
    }

    /// Start of `party`'s speech in progress.
    pub fn speaking_since(&self, party: Party) -> Option<Samples> {
        self.open[party.index()]
    }

    /// Start of the current turn of the floor holder.
    pub fn turn_start(&self) -> Option<Samples> {
        self.floor.map(|_| self.turn_start)
    }

    fn take_floor(&mut self, party: Party, t: Samples, out: &mut impl FnMut(LiveEvent)) {
        if self.floor != Some(party) {
            self.floor = Some(party);
            self.turn_start = t;
            out(LiveEvent::Floor {
                party,
                t_s: samples_to_s(t),
            });
        }
        self.interrupt_check[party.index()] = Some(t);
    }

    /// A party's (bridged) speech starts at `t`.
    pub fn speech_start(&mut self, party: Party, t: Samples, out: &mut impl FnMut(LiveEvent)) {
        let me = party.index();
        self.open[me] = Some(t);
        out(LiveEvent::SpeechStart {
            party,
            t_s: samples_to_s(t),
        });
        if let Some(start) = self.silence_start.take() {
            // The definition decides, not whether the pause was seen opening: a silence of
            // at least pause_min that meets no paused stretch is a pause.
            if self.limits.rules.is_pause(start, t) && !self.meets_paused(start, t) {
                if !self.pause_opened {
                    out(LiveEvent::PauseOpen {
                        start_s: samples_to_s(start),
                        after: self.floor,
                    });
                }
                let other_open = self.open[party.other().index()].is_some_and(|s| s == t);
                let broken_by = if other_open { "both" } else { party.name() };
                out(LiveEvent::PauseClose {
                    start_s: samples_to_s(start),
                    end_s: samples_to_s(t),
                    after: self.floor,
                    broken_by: broken_by.to_string(),
                    held: party == Party::Prospect && !other_open,
                });
            } else {
                out(LiveEvent::SilenceEnd {
                    start_s: samples_to_s(start),
                    end_s: samples_to_s(t),
                });
            }
            self.pause_opened = false;
        }
        self.any_speech = true;
        match self.floor {
            None => self.take_floor(party, t, out),
            Some(holder) if holder == party => self.interrupt_check[me] = Some(t),
            Some(holder) => {
                let h = holder.index();
                let holder_speaking = self.open[h].is_some();
                let near = self.last_end[h]
                    .is_some_and(|end| self.limits.rules.follows_closely(t.saturating_sub(end)));
                if holder_speaking || near {
                    self.candidate = Some(Candidate { party, start: t });
                } else {
                    self.take_floor(party, t, out);
                }
            }
        }
    }

    /// A party's (bridged) segment is closed.
    pub fn speech_end(&mut self, party: Party, span: Span, out: &mut impl FnMut(LiveEvent)) {
        let me = party.index();
        self.open[me] = None;
        self.last_end[me] = Some(span.end);
        out(LiveEvent::SpeechEnd {
            party,
            start_s: samples_to_s(span.start),
            end_s: samples_to_s(span.end),
        });
        let mut backchannel = false;
        if let Some(c) = self.candidate
            && c.party == party
        {
            self.candidate = None;
            if self.limits.rules.backchannel_length(span.len()) {
                backchannel = true;
                out(LiveEvent::Backchannel {
                    party,
                    start_s: samples_to_s(span.start),
                    end_s: samples_to_s(span.end),
                });
            } else {
                self.take_floor(party, c.start, out);
                self.check_interruption(party, span.end, out);
            }
        }
        self.check_interruption(party, span.end, out);
        self.interrupt_check[me] = None;
        self.last_span[me] = Some((span.start, span.end, backchannel));
        if self.open.iter().all(Option::is_none) {
            let start = self
                .last_end
                .iter()
                .flatten()
                .copied()
                .max()
                .unwrap_or(span.end);
            self.silence_start = Some(start);
            self.pause_opened = false;
            out(LiveEvent::SilenceStart {
                start_s: samples_to_s(start),
                after: self.floor,
            });
        }
    }

    /// Speech of `party` that started at the pending check time overlaps the other party's
    /// speech (still open, or closed at `last_end`) up to `now`.
    fn check_interruption(&mut self, party: Party, now: Samples, out: &mut impl FnMut(LiveEvent)) {
        let me = party.index();
        let Some(start) = self.interrupt_check[me] else {
            return;
        };
        if self.candidate.is_some_and(|c| c.party == party) {
            return;
        }
        let other = party.other().index();
        if self.candidate.is_some_and(|c| c.party != party) {
            // The other party's speech may be a backchannel: not an interruption of it.
            return;
        }
        // The other party's speech that was going on when ours started.
        let overlap_end = match (self.open[other], self.last_span[other]) {
            (Some(since), _) if since < start => now,
            (None, Some((s, e, false))) if s < start && e > start => e.min(now),
            _ => return,
        };
        if self.limits.rules.is_interruption(start, overlap_end) {
            self.interrupt_check[me] = None;
            out(LiveEvent::Interruption {
                party,
                t_s: samples_to_s(start),
            });
        }
    }

    /// Audio time has advanced: every edge before `decided` has been applied.
    pub fn advance(&mut self, decided: Samples, out: &mut impl FnMut(LiveEvent)) {
        if let Some(c) = self.candidate
            && !self
                .limits
                .rules
                .backchannel_length(decided.saturating_sub(c.start))
        {
            self.candidate = None;
            self.take_floor(c.party, c.start, out);
        }
        for party in [Party::Rep, Party::Prospect] {
            if self.open[party.index()].is_some() {
                self.check_interruption(party, decided, out);
            }
        }
        if let Some(start) = self.silence_start
            && !self.pause_opened
            && self.any_speech
            && self.limits.rules.is_pause(start, decided)
            && !self.meets_paused(start, decided)
        {
            self.pause_opened = true;
            out(LiveEvent::PauseOpen {
                start_s: samples_to_s(start),
                after: self.floor,
            });
        }
        if self.floor == Some(Party::Rep) && self.open[0].is_some() {
            let length = decided.saturating_sub(self.turn_start);
            let cooled = self
                .last_monologue_cue
                .is_none_or(|t| decided >= t + self.limits.monologue_cooldown);
            if length >= self.limits.monologue_warn
                && cooled
                && self.monologue_cued_turn != Some(self.turn_start)
                && !self.questions.is_empty()
            {
                self.last_monologue_cue = Some(decided);
                self.monologue_cued_turn = Some(self.turn_start);
                let question = self.questions[self.next_question % self.questions.len()].clone();
                self.next_question += 1;
                out(LiveEvent::Monologue {
                    start_s: samples_to_s(self.turn_start),
                    length_s: samples_to_s(length),
                    question,
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timeline::ANALYSIS_RATE_HZ;

    const SR: Samples = ANALYSIS_RATE_HZ as Samples;

    fn collect(f: impl FnOnce(&mut LiveTracker, &mut dyn FnMut(LiveEvent))) -> Vec<LiveEvent> {
        let mut t = LiveTracker::new(&Config::default());
        let mut v = Vec::new();
        f(&mut t, &mut |e| v.push(e));
        v
    }

    #[test]
    fn held_pause_is_opened_then_closed_as_held() {
        let ev = collect(|t, out| {
            let mut o = |e| out(e);
            t.speech_start(Party::Rep, 0, &mut o);
            t.speech_end(Party::Rep, Span::new(0, 3 * SR), &mut o);
            t.advance(4 * SR, &mut o);
            t.speech_start(Party::Prospect, 5 * SR, &mut o);
        });
        assert!(ev.contains(&LiveEvent::PauseOpen {
            start_s: 3.0,
            after: Some(Party::Rep)
        }));
        assert!(ev.iter().any(|e| matches!(e,
            LiveEvent::PauseClose { held: true, start_s, end_s, .. } if *start_s == 3.0 && *end_s == 5.0)));
        assert!(ev.contains(&LiveEvent::Floor {
            party: Party::Prospect,
            t_s: 5.0
        }));
    }

    /// The pauses the tracker closed: (start, end, broken_by).
    fn closed(ev: &[LiveEvent]) -> Vec<(f64, f64, String)> {
        ev.iter()
            .filter_map(|e| match e {
                LiveEvent::PauseClose {
                    start_s,
                    end_s,
                    broken_by,
                    ..
                } => Some((*start_s, *end_s, broken_by.clone())),
                _ => None,
            })
            .collect()
    }

    /// A pause opened (rep 0-3 s, silence from 3 s, open at 4 s), then analysis was paused
    /// from 5 s to 20 s, and the prospect spoke at 21 s. The silence touches the paused
    /// stretch, so it is not a pause, live as in the report: no "held", and the silence
    /// ends plainly. The engine, given the same timeline, counts no pause either.
    #[test]
    fn a_silence_across_paused_analysis_is_not_a_pause() {
        let mut tracker = LiveTracker::new(&Config::default());
        let mut ev = Vec::new();
        let mut o = |e| ev.push(e);
        tracker.speech_start(Party::Rep, 0, &mut o);
        tracker.speech_end(Party::Rep, Span::new(0, 3 * SR), &mut o);
        tracker.advance(4 * SR + SR / 2, &mut o);
        tracker.set_paused(true, 5 * SR);
        assert!(tracker.silence_touches_paused());
        tracker.advance(5 * SR + SR / 2, &mut o);
        tracker.set_paused(false, 20 * SR);
        tracker.advance(20 * SR + SR / 2, &mut o);
        assert!(tracker.silence_touches_paused());
        // The silence shown after resuming counts from the resume, not through the pause.
        assert_eq!(tracker.silence_start(), Some(20 * SR));
        tracker.speech_start(Party::Prospect, 21 * SR, &mut o);
        tracker.speech_end(Party::Prospect, Span::new(21 * SR, 25 * SR), &mut o);
        assert!(ev.contains(&LiveEvent::PauseOpen {
            start_s: 3.0,
            after: Some(Party::Rep)
        }));
        assert_eq!(closed(&ev), []);
        assert!(ev.contains(&LiveEvent::SilenceEnd {
            start_s: 3.0,
            end_s: 21.0
        }));
        let th = crate::conversation::engine::Thresholds::from_config(&Config::default());
        let m = crate::conversation::engine::analyze(
            &[Span::new(0, 3 * SR)],
            &[Span::new(21 * SR, 25 * SR)],
            25 * SR,
            &[Span::new(5 * SR, 20 * SR)],
            &th,
        );
        assert_eq!(m.pauses, []);
    }

    /// Speech cut off by pausing (rep 0-2 s, paused 2-10 s): the silence begins in the
    /// paused stretch, never opens as a pause, and after it no hold is counted. A silence
    /// wholly after the resume is a pause again.
    #[test]
    fn a_silence_from_paused_analysis_never_opens_and_later_ones_do() {
        let mut tracker = LiveTracker::new(&Config::default());
        let mut ev = Vec::new();
        let mut o = |e| ev.push(e);
        tracker.speech_start(Party::Rep, 0, &mut o);
        tracker.set_paused(true, 2 * SR);
        tracker.speech_end(Party::Rep, Span::new(0, 2 * SR), &mut o);
        tracker.advance(9 * SR, &mut o);
        tracker.set_paused(false, 10 * SR);
        tracker.advance(12 * SR, &mut o);
        tracker.speech_start(Party::Prospect, 13 * SR, &mut o);
        tracker.speech_end(Party::Prospect, Span::new(13 * SR, 15 * SR), &mut o);
        assert!(!tracker.silence_touches_paused());
        tracker.advance(17 * SR, &mut o);
        tracker.speech_start(Party::Rep, 17 * SR, &mut o);
        assert!(
            !ev.iter()
                .any(|e| matches!(e, LiveEvent::PauseOpen { start_s, .. } if *start_s == 2.0)),
            "{ev:?}"
        );
        assert_eq!(closed(&ev), [(15.0, 17.0, "rep".to_string())]);
    }

    /// A pause whose opening was never seen (the breaking speech arrived with the first
    /// decision past pause_min) is still a pause: opened, then closed as held.
    #[test]
    fn a_pause_broken_before_it_was_seen_opening_is_still_a_pause() {
        let ev = collect(|t, out| {
            let mut o = |e| out(e);
            t.speech_start(Party::Rep, 0, &mut o);
            t.speech_end(Party::Rep, Span::new(0, 3 * SR), &mut o);
            t.advance(3 * SR + SR / 2, &mut o);
            t.speech_start(Party::Prospect, 4 * SR + SR / 2, &mut o);
        });
        assert!(ev.contains(&LiveEvent::PauseOpen {
            start_s: 3.0,
            after: Some(Party::Rep)
        }));
        assert_eq!(closed(&ev), [(3.0, 4.5, "prospect".to_string())]);
    }

    #[test]
    fn backchannel_keeps_the_floor_and_is_no_interruption() {
        let ev = collect(|t, out| {
            let mut o = |e| out(e);
            t.speech_start(Party::Rep, 0, &mut o);
            t.speech_start(Party::Prospect, 2 * SR, &mut o);
            t.advance(2 * SR + SR / 4, &mut o);
            t.speech_end(Party::Prospect, Span::new(2 * SR, 2 * SR + SR / 2), &mut o);
            t.advance(3 * SR, &mut o);
        });
        assert!(
            ev.iter()
                .any(|e| matches!(e, LiveEvent::Backchannel { .. }))
        );
        assert!(
            !ev.iter()
                .any(|e| matches!(e, LiveEvent::Interruption { .. }))
        );
        assert!(!ev.contains(&LiveEvent::Floor {
            party: Party::Prospect,
            t_s: 2.0
        }));
    }

    #[test]
    fn talking_over_is_an_interruption_once_it_outlasts_a_backchannel() {
        let ev = collect(|t, out| {
            let mut o = |e| out(e);
            t.speech_start(Party::Prospect, 0, &mut o);
            t.speech_start(Party::Rep, 2 * SR, &mut o);
            t.advance(3 * SR + SR / 10, &mut o);
        });
        assert!(ev.contains(&LiveEvent::Floor {
            party: Party::Rep,
            t_s: 2.0
        }));
        assert!(ev.contains(&LiveEvent::Interruption {
            party: Party::Rep,
            t_s: 2.0
        }));
    }

    /// After a call's end, the silence that followed it is no pause of the next call, and
    /// the next call's first speech takes the floor afresh.
    #[test]
    fn a_new_call_forgets_the_last_ones_silence_and_floor() {
        let mut t = LiveTracker::new(&Config::default());
        let mut ev = Vec::new();
        let mut o = |e| ev.push(e);
        t.speech_start(Party::Rep, 0, &mut o);
        t.speech_end(Party::Rep, Span::new(0, 3 * SR), &mut o);
        t.advance(50 * SR, &mut o);
        t.new_call();
        assert_eq!(t.floor(), None);
        assert_eq!(t.silence_start(), None);
        ev.clear();
        let mut o = |e| ev.push(e);
        t.speech_start(Party::Prospect, 100 * SR, &mut o);
        assert_eq!(closed(&ev), []);
        assert!(!ev.iter().any(|e| matches!(e, LiveEvent::SilenceEnd { .. })));
        assert_eq!(t.floor(), Some(Party::Prospect));
        // Speech going on when the call ended is kept.
        t.new_call();
        assert_eq!(t.speaking_since(Party::Prospect), Some(100 * SR));
        assert_eq!(t.floor(), Some(Party::Prospect));
    }

    #[test]
    fn monologue_cue_once_per_turn() {
        let ev = collect(|t, out| {
            let mut o = |e| out(e);
            t.speech_start(Party::Rep, 0, &mut o);
            for k in 0..100 {
                t.advance(k * SR, &mut o);
            }
        });
        let cues: Vec<_> = ev
            .iter()
            .filter(|e| matches!(e, LiveEvent::Monologue { .. }))
            .collect();
        assert_eq!(cues.len(), 1);
        assert!(matches!(cues[0], LiveEvent::Monologue { length_s, .. } if *length_s == 60.0));
    }
}
