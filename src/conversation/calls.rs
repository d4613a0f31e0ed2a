//! Calls found in a working day: folds both parties' bridged speech, as it is decided, into
//! where each call starts and ends (product.md, "A working day: calls found automatically").
//! A call starts at the first speech of a side that the other side answers within the start
//! window; one-sided stretches (a video, music on hold, the rep rehearsing) are not calls. A
//! call ends when neither side has spoken for the end silence; its end is the end of its last
//! speech plus the trailing silence up to `pause_min`. Pure: time only comes in as sample
//! counts, and the offline split (`find_calls`) is this same state machine run over a list.

use crate::config::Config;
use crate::timeline::{Party, Samples, Span, s_to_samples};

/// The splitting rule, in samples of the master timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallRule {
    /// The other side must start speaking within this long after a speech starts
    /// (`call_start_window_s`).
    pub start_window: Samples,
    /// A call ends after this long with nobody speaking (`call_end_silence_s`).
    pub end_silence: Samples,
    /// Trailing silence kept after a call's last speech, at most (`pause_min_s`).
    pub pause_min: Samples,
}

impl CallRule {
    /// The rule of the configuration's `call_start_window_s`, `call_end_silence_s` and
    /// `pause_min_s`.
    pub fn from_config(config: &Config) -> CallRule {
        CallRule {
            start_window: s_to_samples(config.call_start_window_s),
            end_silence: s_to_samples(config.call_end_silence_s),
            pause_min: s_to_samples(config.pause_min_s),
        }
    }
}

/// What the splitter found, in time order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallEvent {
    /// A call began at this time (reported once the answer is heard, so up to the start
    /// window after the time it names).
    Started(Samples),
    /// A call that had started is over: its whole span.
    Ended(Span),
}

/// The call splitter's state. Feed it speech starts and ends in time order, and the time up
/// to which both sides are decided.
#[derive(Debug, Clone)]
pub struct CallSplitter {
    rule: CallRule,
    /// Outside a call: the starts of each side's recent speech (within the start window of
    /// the latest time seen), oldest first.
    recent: [Vec<Samples>; 2],
    /// Inside a call: where it started.
    call_start: Option<Samples>,
    /// Where each side's current speech started, while it speaks.
    speaking: [Option<Samples>; 2],
    /// The latest end of speech seen (either side).
    last_end: Option<Samples>,
}

impl CallSplitter {
    /// A splitter with no call open.
    pub fn new(rule: CallRule) -> CallSplitter {
        CallSplitter {
            rule,
            recent: [Vec::new(), Vec::new()],
            call_start: None,
            speaking: [None, None],
            last_end: None,
        }
    }

    /// Where the open call started, if one is open.
    pub fn call_start(&self) -> Option<Samples> {
        self.call_start
    }

    /// `party` starts speaking at `t`.
    pub fn speech_start(&mut self, party: Party, t: Samples, out: &mut impl FnMut(CallEvent)) {
        self.speaking[party.index()] = Some(t);
        if self.call_start.is_some() {
            return;
        }
        let horizon = t.saturating_sub(self.rule.start_window);
        for starts in &mut self.recent {
            starts.retain(|&s| s >= horizon);
        }
        let other = &self.recent[party.other().index()];
        if let Some(&first) = other.first() {
            // The other side spoke first and this answers it: the call starts there.
            self.call_start = Some(first);
            self.recent = [Vec::new(), Vec::new()];
            out(CallEvent::Started(first));
        } else {
            self.recent[party.index()].push(t);
        }
    }

    /// `party`'s speech `span` has ended.
    pub fn speech_end(&mut self, party: Party, span: Span) {
        self.speaking[party.index()] = None;
        self.last_end = Some(self.last_end.map_or(span.end, |e| e.max(span.end)));
    }

    /// Both sides are decided up to `now`: ends the open call once nobody has spoken for the
    /// end silence.
    pub fn advance(&mut self, now: Samples, out: &mut impl FnMut(CallEvent)) {
        let (Some(start), Some(last_end)) = (self.call_start, self.last_end) else {
            return;
        };
        if self.speaking.iter().any(Option::is_some) || last_end < start {
            return;
        }
        if now.saturating_sub(last_end) >= self.rule.end_silence {
            self.close(
                start,
                last_end + self.rule.pause_min.min(now - last_end),
                out,
            );
        }
    }

    /// The stream ended at `stream_end`: a call still open ends there (with its speech cut
    /// at the end if a side is still speaking).
    pub fn finish(&mut self, stream_end: Samples, out: &mut impl FnMut(CallEvent)) {
        let Some(start) = self.call_start else {
            return;
        };
        let end = if self.speaking.iter().any(Option::is_some) {
            stream_end
        } else {
            let last = self.last_end.unwrap_or(start).max(start);
            (last + self.rule.pause_min).min(stream_end)
        };
        self.close(start, end.max(start), out);
    }

    fn close(&mut self, start: Samples, end: Samples, out: &mut impl FnMut(CallEvent)) {
        self.call_start = None;
        self.recent = [Vec::new(), Vec::new()];
        out(CallEvent::Ended(Span::new(start, end)));
    }
}

/// The calls in a finished recording: both parties' bridged segments (each party's in time
/// order) run through `CallSplitter`.
pub fn find_calls(segments: [&[Span]; 2], stream_end: Samples, rule: CallRule) -> Vec<Span> {
    // Every start and end, in time order; at equal times ends first, so that a segment
    // that ends where another begins leaves no one speaking in between.
    let mut edges: Vec<(Samples, bool, Party, Span)> = Vec::new();
    for (party, spans) in [(Party::Rep, segments[0]), (Party::Prospect, segments[1])] {
        for &span in spans {
            edges.push((span.start, true, party, span));
            edges.push((span.end, false, party, span));
        }
    }
    edges.sort_by_key(|&(t, is_start, party, _)| (t, is_start, party.index()));
    let mut splitter = CallSplitter::new(rule);
    let mut calls = Vec::new();
    let mut out = |e: CallEvent| {
        if let CallEvent::Ended(span) = e {
            calls.push(span);
        }
    };
    for (t, is_start, party, span) in edges {
        splitter.advance(t, &mut out);
        if is_start {
            splitter.speech_start(party, t, &mut out);
        } else {
            splitter.speech_end(party, span);
        }
    }
    splitter.advance(stream_end, &mut out);
    splitter.finish(stream_end, &mut out);
    calls
}

#[cfg(test)]
mod tests {
    use super::*;

    const RULE: CallRule = CallRule {
        start_window: 20,
        end_silence: 45,
        pause_min: 1,
    };

    fn spans(list: &[(u64, u64)]) -> Vec<Span> {
        list.iter().map(|&(a, b)| Span::new(a, b)).collect()
    }

    fn calls(rep: &[(u64, u64)], prospect: &[(u64, u64)], end: u64) -> Vec<(u64, u64)> {
        find_calls([&spans(rep), &spans(prospect)], end, RULE)
            .into_iter()
            .map(|s| (s.start, s.end))
            .collect()
    }

    #[test]
    fn a_conversation_is_one_call_ending_a_pause_after_its_last_speech() {
        let c = calls(&[(10, 14), (20, 25)], &[(15, 19), (26, 30)], 200);
        assert_eq!(c, vec![(10, 31)]);
    }

    #[test]
    fn one_sided_speech_is_not_a_call() {
        // A video on the prospect side, the rep silent.
        let c = calls(&[], &[(0, 50), (52, 90), (95, 140)], 300);
        assert!(c.is_empty());
        // The rep rehearsing alone.
        assert!(calls(&[(5, 8), (30, 33), (60, 64)], &[], 300).is_empty());
    }

    #[test]
    fn the_call_starts_at_the_first_speech_the_other_side_answers() {
        // The rep's first "hello?" goes unanswered for more than the window; the second
        // is answered 5 later.
        let c = calls(&[(0, 2), (30, 32)], &[(37, 40)], 200);
        assert_eq!(c, vec![(30, 41)]);
        // Answered exactly at the window's edge: still a call.
        assert_eq!(calls(&[(0, 2)], &[(20, 22)], 200), vec![(0, 23)]);
        assert!(calls(&[(0, 2)], &[(21, 22)], 200).is_empty());
    }

    #[test]
    fn a_long_silence_splits_two_calls() {
        let c = calls(&[(0, 5), (10, 12), (100, 104)], &[(6, 9), (105, 110)], 400);
        assert_eq!(c, vec![(0, 13), (100, 111)]);
    }

    #[test]
    fn a_silence_shorter_than_the_end_silence_keeps_the_call_open() {
        let c = calls(&[(0, 5), (50, 54)], &[(6, 9)], 400);
        // 9 -> 50 is 41 < 45: the rep's speech at 50 is still the same call.
        assert_eq!(c, vec![(0, 55)]);
    }

    #[test]
    fn speech_overlapping_a_long_turn_does_not_end_the_call() {
        // The prospect talks for 100 with no other speech: nobody is silent, so no end.
        let c = calls(&[(0, 3)], &[(4, 104)], 400);
        assert_eq!(c, vec![(0, 105)]);
    }

    #[test]
    fn a_call_still_going_at_the_end_of_the_stream_ends_there() {
        assert_eq!(calls(&[(0, 3)], &[(4, 50)], 50), vec![(0, 50)]);
        // Silent at the end, less than a pause: the trailing silence is cut at the end.
        assert_eq!(calls(&[(0, 3)], &[(4, 10)], 10), vec![(0, 10)]);
    }

    #[test]
    fn a_side_still_speaking_at_the_end_closes_the_call_at_the_end() {
        let mut s = CallSplitter::new(RULE);
        let mut events = Vec::new();
        let mut out = |e| events.push(e);
        s.speech_start(Party::Rep, 0, &mut out);
        s.speech_end(Party::Rep, Span::new(0, 3));
        s.speech_start(Party::Prospect, 4, &mut out);
        s.advance(500, &mut out);
        s.finish(500, &mut out);
        assert_eq!(
            events,
            vec![CallEvent::Started(0), CallEvent::Ended(Span::new(0, 500))]
        );
    }

    #[test]
    fn the_live_splitter_reports_the_start_when_the_answer_comes() {
        let mut s = CallSplitter::new(RULE);
        let mut events = Vec::new();
        let mut out = |e| events.push(e);
        s.speech_start(Party::Rep, 10, &mut out);
        s.speech_end(Party::Rep, Span::new(10, 12));
        s.advance(25, &mut out);
        s.speech_start(Party::Prospect, 25, &mut out);
        assert_eq!(s.call_start(), Some(10));
        s.speech_end(Party::Prospect, Span::new(25, 30));
        s.advance(74, &mut out);
        s.advance(75, &mut out);
        assert_eq!(
            events,
            vec![CallEvent::Started(10), CallEvent::Ended(Span::new(10, 31))]
        );
        assert_eq!(s.call_start(), None);
    }

    #[test]
    fn speech_during_a_one_sided_stretch_before_a_call_is_left_out() {
        // Music on hold on the prospect side for a long time, then the rep and the prospect
        // talk: the call starts at the prospect's speech the rep answers.
        let c = calls(
            &[(120, 125)],
            &[(0, 40), (42, 80), (82, 118), (126, 130)],
            400,
        );
        assert_eq!(c, vec![(120, 131)]);
    }
}
