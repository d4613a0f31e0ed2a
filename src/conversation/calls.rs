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

    /// The trailing silence a call keeps after its last speech: `pause_min`, or the end
    /// silence if that is shorter (so the end never depends on when the close is seen).
    pub fn trailing(&self) -> Samples {
        self.pause_min.min(self.end_silence)
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

    /// A splitter inside a call that starts at 0 (the first sample it is given), whose
    /// speech is known to go on until `speech_until` at least: the call ends, at the
    /// earliest, the trailing silence after it.
    pub fn in_call(rule: CallRule, speech_until: Samples) -> CallSplitter {
        CallSplitter {
            call_start: Some(0),
            last_end: Some(speech_until),
            ..CallSplitter::new(rule)
        }
    }

    /// Where the open call started, if one is open.
    pub fn call_start(&self) -> Option<Samples> {
        self.call_start
    }

    /// The latest speech given so far: the latest end, or the start of speech still on
    /// if later. A call still open that has been given speech after `t` cannot end `t`
    /// plus the trailing silence.
    pub fn heard_until(&self) -> Option<Samples> {
        self.speaking
            .iter()
            .flatten()
            .copied()
            .chain(self.last_end)
            .max()
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
    /// end silence. Outside a call, speech that no answer can reach any more (it started
    /// more than the start window before `now`) is forgotten.
    pub fn advance(&mut self, now: Samples, out: &mut impl FnMut(CallEvent)) {
        let Some(start) = self.call_start else {
            let horizon = now.saturating_sub(self.rule.start_window);
            for starts in &mut self.recent {
                starts.retain(|&s| s >= horizon);
            }
            return;
        };
        let Some(last_end) = self.last_end else {
            return;
        };
        if self.speaking.iter().any(Option::is_some) || last_end < start {
            return;
        }
        if now.saturating_sub(last_end) >= self.rule.end_silence {
            self.close(start, last_end + self.rule.trailing(), out);
        }
    }

    /// The earliest time a call that is not open yet could still start at: the first
    /// recent speech an answer could reach, else `now`.
    fn earliest_start(&self, now: Samples) -> Samples {
        self.recent
            .iter()
            .filter_map(|starts| starts.first().copied())
            .fold(now, Samples::min)
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
            (last + self.rule.trailing()).min(stream_end)
        };
        self.close(start, end.max(start), out);
    }

    fn close(&mut self, start: Samples, end: Samples, out: &mut impl FnMut(CallEvent)) {
        self.call_start = None;
        self.recent = [Vec::new(), Vec::new()];
        out(CallEvent::Ended(Span::new(start, end)));
    }
}

/// One speech edge waiting for its turn: (time, is a start, party, the segment).
type PendingEdge = (Samples, bool, Party, Span);

/// The call splitter fed as the analysis decides: speech starts and ends arrive a little
/// late and out of time order between the parties (each side's detector decides on its
/// own, and an end is only known once the bridging gap has passed), so they wait here
/// until both sides are decided past them, and then go to the [`CallSplitter`] in time
/// order, exactly as [`find_calls`] gives them over a finished recording. The live split
/// and the offline split are the one state machine fed the same way.
#[derive(Debug, Clone)]
pub struct CallFeed {
    splitter: CallSplitter,
    /// Edges reported but not yet given to the splitter.
    pending: Vec<PendingEdge>,
    /// Both sides are decided up to here.
    decided: Samples,
}

impl CallFeed {
    /// A feed with no call open.
    pub fn new(rule: CallRule) -> CallFeed {
        CallFeed {
            splitter: CallSplitter::new(rule),
            pending: Vec::new(),
            decided: 0,
        }
    }

    /// A feed inside a call that starts at 0, whose speech goes on until `speech_until` at
    /// least ([`CallSplitter::in_call`]): the analysis of a call from its first frame,
    /// which finds where the call ends by itself.
    pub fn in_call(rule: CallRule, speech_until: Samples) -> CallFeed {
        CallFeed {
            splitter: CallSplitter::in_call(rule, speech_until),
            pending: Vec::new(),
            decided: 0,
        }
    }

    /// The rule it splits by.
    pub fn rule(&self) -> CallRule {
        self.splitter.rule
    }

    /// Both sides are decided up to here.
    pub fn decided(&self) -> Samples {
        self.decided
    }

    /// The latest speech the splitter has been given ([`CallSplitter::heard_until`]).
    pub fn heard_until(&self) -> Option<Samples> {
        self.splitter.heard_until()
    }

    /// Where the open call started, if one is open (as of the decided time).
    pub fn call_start(&self) -> Option<Samples> {
        self.splitter.call_start()
    }

    /// `party`'s (bridged) speech starts at `t`.
    pub fn speech_start(&mut self, party: Party, t: Samples) {
        self.pending.push((t, true, party, Span::new(t, t)));
    }

    /// `party`'s (bridged) speech `span` has ended.
    pub fn speech_end(&mut self, party: Party, span: Span) {
        self.pending.push((span.end, false, party, span));
    }

    /// Every speech start before `decided` has been reported (an end may come later, by
    /// less than the end silence: the bridging gap): gives the splitter, in time order, the
    /// edges up to there (each preceded by the time it happened), then the time.
    pub fn advance(&mut self, decided: Samples, out: &mut impl FnMut(CallEvent)) {
        self.decided = self.decided.max(decided);
        self.release(Some(self.decided), out);
        self.splitter.advance(self.decided, out);
    }

    /// The stream ended at `stream_end`: every edge left goes to the splitter, and a call
    /// still open ends.
    pub fn finish(&mut self, stream_end: Samples, out: &mut impl FnMut(CallEvent)) {
        self.release(None, out);
        self.decided = self.decided.max(stream_end);
        self.splitter.advance(stream_end, out);
        self.splitter.finish(stream_end, out);
    }

    fn release(&mut self, until: Option<Samples>, out: &mut impl FnMut(CallEvent)) {
        if self.pending.is_empty() {
            return;
        }
        // At equal times ends first, so that a segment that ends where another begins
        // leaves no one speaking in between.
        self.pending
            .sort_by_key(|&(t, is_start, party, _)| (t, is_start, party.index()));
        let due = until.map_or(self.pending.len(), |limit| {
            self.pending.partition_point(|&(t, ..)| t <= limit)
        });
        for (t, is_start, party, span) in self.pending.drain(..due) {
            self.splitter.advance(t, out);
            if is_start {
                self.splitter.speech_start(party, t, out);
            } else {
                self.splitter.speech_end(party, span);
            }
        }
    }

    /// While a call is open: audio before this time is certainly part of it, whenever it
    /// ends. (Not closed at the decided time means someone spoke less than the end
    /// silence before it, or is speaking; the call's end comes after that speech.) `None`
    /// outside a call.
    pub fn in_call_until(&self) -> Option<Samples> {
        self.splitter.call_start()?;
        Some(self.decided.saturating_sub(self.splitter.rule.end_silence))
    }

    /// The earliest time a call that is not open yet could still turn out to start at
    /// (the first speech an answer could still reach, or speech reported and not yet
    /// decided on); audio before it cannot be the start of a call. Inside a call, the
    /// next call can only start after the decided time.
    pub fn keep_from(&self) -> Samples {
        let queued = self
            .pending
            .iter()
            .filter(|&&(_, is_start, ..)| is_start)
            .map(|&(t, ..)| t)
            .min()
            .unwrap_or(self.decided);
        self.splitter.earliest_start(self.decided).min(queued)
    }
}

/// The calls in a finished recording: both parties' bridged segments (each party's in time
/// order) run through the [`CallFeed`], as the live split runs them.
pub fn find_calls(segments: [&[Span]; 2], stream_end: Samples, rule: CallRule) -> Vec<Span> {
    let mut feed = CallFeed::new(rule);
    for (party, spans) in [(Party::Rep, segments[0]), (Party::Prospect, segments[1])] {
        for &span in spans {
            feed.speech_start(party, span.start);
            feed.speech_end(party, span);
        }
    }
    let mut calls = Vec::new();
    feed.finish(stream_end, &mut |e: CallEvent| {
        if let CallEvent::Ended(span) = e {
            calls.push(span);
        }
    });
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

    /// Tiny deterministic generator for the property below.
    fn lcg(x: &mut u64) -> u64 {
        *x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        *x >> 33
    }

    /// Alternating speech and gaps of random lengths for one side (gaps sometimes long).
    fn random_side(seed: u64, end: u64) -> Vec<Span> {
        let mut x = seed;
        let mut t = lcg(&mut x) % 30;
        let mut v = Vec::new();
        while t < end {
            let len = 1 + lcg(&mut x) % 8;
            let e = (t + len).min(end);
            v.push(Span::new(t, e));
            let gap = if lcg(&mut x).is_multiple_of(5) {
                30 + lcg(&mut x) % 80
            } else {
                1 + lcg(&mut x) % 12
            };
            t = e + gap;
        }
        v
    }

    /// Feeds both sides as the analysis reports them: the rep's starts `rep_lag` after they
    /// happen and the prospect's `pro_lag`, each end `end_lag` later still (the bridging
    /// gap), advancing every `step` to the time both sides are decided to.
    fn live_calls(
        sides: [&[Span]; 2],
        end: u64,
        lags: [u64; 2],
        end_lag: u64,
        step: u64,
    ) -> Vec<(u64, u64)> {
        let mut reports: Vec<(u64, bool, Party, Span)> = Vec::new();
        for (party, spans) in [(Party::Rep, sides[0]), (Party::Prospect, sides[1])] {
            let lag = lags[party.index()];
            for (k, &span) in spans.iter().enumerate() {
                reports.push((span.start + lag, true, party, span));
                // The bridging closes a segment at the latest when the next one starts.
                let next = spans.get(k + 1).map_or(u64::MAX, |n| n.start + lag);
                reports.push(((span.end + lag + end_lag).min(next), false, party, span));
            }
        }
        // At equal times ends first (a segment closes before the next one opens).
        reports.sort_by_key(|r| (r.0, r.1));
        let mut feed = CallFeed::new(RULE);
        let mut calls = Vec::new();
        let mut out = |e: CallEvent| {
            if let CallEvent::Ended(span) = e {
                calls.push((span.start, span.end));
            }
        };
        let mut i = 0;
        let mut now = 0;
        let slowest = lags[0].max(lags[1]);
        while now < end {
            now = (now + step).min(end);
            while i < reports.len() && reports[i].0 <= now {
                let (_, is_start, party, span) = reports[i];
                if is_start {
                    feed.speech_start(party, span.start);
                } else {
                    feed.speech_end(party, span);
                }
                i += 1;
            }
            feed.advance(now.saturating_sub(slowest), &mut out);
            if let Some(until) = feed.in_call_until() {
                // Audio before it is in the open call, whatever happens next.
                assert!(until <= now);
            }
        }
        for &(_, is_start, party, span) in &reports[i..] {
            if is_start {
                feed.speech_start(party, span.start);
            } else {
                feed.speech_end(party, span);
            }
        }
        feed.finish(end, &mut out);
        calls
    }

    /// The live split, fed late and out of order between the sides, finds exactly the calls
    /// of the offline split; and what it said was certainly inside a call is.
    #[test]
    fn the_live_feed_finds_the_calls_of_the_offline_split() {
        let end = 3_000;
        let mut found = 0;
        for seed in 0..200 {
            let rep = random_side(seed * 2 + 1, end);
            let pro = random_side(seed * 2 + 2, end);
            let offline: Vec<(u64, u64)> = find_calls([&rep, &pro], end, RULE)
                .into_iter()
                .map(|s| (s.start, s.end))
                .collect();
            found += offline.len();
            for (lags, end_lag, step) in [([0, 0], 0, 1), ([2, 0], 3, 1), ([0, 4], 2, 3)] {
                let live = live_calls([&rep, &pro], end, lags, end_lag, step);
                assert_eq!(live, offline, "seed {seed}, lags {lags:?}");
            }
        }
        assert!(found > 200, "the days hold calls: {found}");
    }

    #[test]
    fn inside_a_call_audio_older_than_the_end_silence_is_certainly_part_of_it() {
        let mut feed = CallFeed::new(RULE);
        let mut events = Vec::new();
        let mut out = |e| events.push(e);
        feed.speech_start(Party::Rep, 10);
        feed.speech_end(Party::Rep, Span::new(10, 12));
        feed.advance(14, &mut out);
        // One-sided so far: a call could still start at 10.
        assert_eq!(feed.in_call_until(), None);
        assert_eq!(feed.keep_from(), 10);
        feed.speech_start(Party::Prospect, 15);
        feed.advance(16, &mut out);
        assert_eq!(feed.call_start(), Some(10));
        // Inside the call, a next call could only start after the decided time.
        assert_eq!(feed.keep_from(), 16);
        feed.speech_end(Party::Prospect, Span::new(15, 20));
        feed.advance(60, &mut out);
        assert_eq!(feed.in_call_until(), Some(15));
        feed.advance(65, &mut out);
        assert_eq!(
            events,
            vec![CallEvent::Started(10), CallEvent::Ended(Span::new(10, 21))]
        );
        assert_eq!(feed.in_call_until(), None);
    }

    #[test]
    fn a_feed_inside_a_call_ends_it_after_its_own_speech_and_not_before_the_answer() {
        let ended = |feed: &mut CallFeed, now: Samples| {
            let mut events = Vec::new();
            feed.advance(now, &mut |e| events.push(e));
            events
        };
        // Speech known to go on until 8 (the answer): with nobody heard, the call ends
        // the trailing silence after it, once the end silence has passed.
        let mut feed = CallFeed::in_call(RULE, 8);
        assert_eq!(feed.call_start(), Some(0));
        assert!(ended(&mut feed, 52).is_empty());
        assert_eq!(ended(&mut feed, 53), [CallEvent::Ended(Span::new(0, 9))]);
        // Its own speech after that moves the end.
        let mut feed = CallFeed::in_call(RULE, 8);
        feed.speech_start(Party::Rep, 0);
        feed.speech_end(Party::Rep, Span::new(0, 5));
        feed.speech_start(Party::Prospect, 7);
        feed.speech_end(Party::Prospect, Span::new(7, 30));
        assert!(ended(&mut feed, 74).is_empty());
        assert_eq!(ended(&mut feed, 75), [CallEvent::Ended(Span::new(0, 31))]);
        // Then the feed looks for the next call: one-sided speech is not one.
        feed.speech_start(Party::Rep, 100);
        feed.speech_end(Party::Rep, Span::new(100, 110));
        let mut events = Vec::new();
        feed.finish(200, &mut |e| events.push(e));
        assert!(events.is_empty());
    }

    #[test]
    fn unanswered_speech_is_let_go_once_no_answer_can_reach_it() {
        let mut feed = CallFeed::new(RULE);
        let mut out = |_| {};
        feed.speech_start(Party::Rep, 10);
        feed.speech_end(Party::Rep, Span::new(10, 12));
        feed.advance(25, &mut out);
        assert_eq!(feed.keep_from(), 10);
        feed.advance(31, &mut out);
        assert_eq!(feed.keep_from(), 31);
        // A start reported but not yet decided on is kept too.
        feed.speech_start(Party::Prospect, 40);
        assert_eq!(feed.keep_from(), 31);
        feed.advance(45, &mut out);
        assert_eq!(feed.keep_from(), 40);
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
