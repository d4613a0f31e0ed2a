//! The turn and pause engine: from both parties' bridged speech segments to every figure of
//! the report (product.md, "Definitions"). A pure function of its inputs, swept in time
//! order, so a recording and the live session that made it give the same figures.

use crate::config::Config;
use crate::timeline::{Party, Samples, Span, s_to_samples};

/// The thresholds of the definitions, in samples on the master timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    /// A silence at least this long is a pause.
    pub pause_min: Samples,
    /// Longest backchannel.
    pub backchannel_max: Samples,
    /// Minimum overlap of an interruption.
    pub interruption_min_overlap: Samples,
}

impl Thresholds {
    /// The thresholds of a configuration.
    pub fn from_config(config: &Config) -> Thresholds {
        Thresholds {
            pause_min: s_to_samples(config.pause_min_s),
            backchannel_max: s_to_samples(config.backchannel_max_s),
            interruption_min_overlap: s_to_samples(config.interruption_min_overlap_s),
        }
    }

    /// A silence from `start` to `end` is long enough to be a pause.
    pub fn is_pause(&self, start: Samples, end: Samples) -> bool {
        end >= start + self.pause_min
    }

    /// Speech starting `gap` after the floor holder's speech ended is still a reply to it
    /// (it may be a backchannel): the gap is shorter than a pause.
    pub fn follows_closely(&self, gap: Samples) -> bool {
        gap < self.pause_min
    }

    /// Speech of this length, said while the holder speaks or right after, is a backchannel.
    pub fn backchannel_length(&self, len: Samples) -> bool {
        len <= self.backchannel_max
    }

    /// Speech starting at `start` over the other party's, overlapping it until
    /// `overlap_end`, overlaps it long enough to be an interruption.
    pub fn is_interruption(&self, start: Samples, overlap_end: Samples) -> bool {
        overlap_end >= start + self.interruption_min_overlap
    }
}

/// An interruption (product.md, "interruption").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interruption {
    /// Who interrupted.
    pub party: Party,
    /// When the interrupting speech started.
    pub start: Samples,
    /// Until when it overlapped the speech it cut into.
    pub overlap_end: Samples,
    /// Its index among the segments it was found in.
    pub segment: usize,
}

/// One classified segment of speech.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segment {
    /// Who spoke.
    pub party: Party,
    /// When.
    pub span: Span,
    /// A short acknowledgement by the party without the floor ("mm-hmm").
    pub backchannel: bool,
    /// A non-backchannel segment started over the other party's speech (overlap long enough).
    pub interruption: bool,
}

/// A turn: from the floor-taking segment's start to the end of that party's last segment
/// before the floor passes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Turn {
    /// Who held the floor.
    pub party: Party,
    /// Start and end.
    pub span: Span,
}

/// Who ended a pause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BrokenBy {
    /// The rep spoke first: the silence was broken.
    Rep,
    /// The prospect spoke first: the silence was held.
    Prospect,
    /// Both started on the same sample.
    Both,
    /// The call ended in silence.
    None,
}

impl BrokenBy {
    /// Name as used in reports.
    pub fn name(self) -> &'static str {
        match self {
            BrokenBy::Rep => "rep",
            BrokenBy::Prospect => "prospect",
            BrokenBy::Both => "both",
            BrokenBy::None => "none",
        }
    }
}

/// A silence of at least `pause_min` after the first speech of the call.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pause {
    /// Start (the true end of the last speech) and end.
    pub span: Span,
    /// Floor holder when it opened.
    pub after: Option<Party>,
    /// Whose speech ended it.
    pub broken_by: BrokenBy,
    /// For held pauses: from the pause end to the end of the prospect turn containing the
    /// segment that broke it (0 when that segment was a backchannel).
    pub yield_samples: Option<Samples>,
}

/// Per-party figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PartyMetrics {
    /// Sum of the party's segments, backchannels included.
    pub talk: Samples,
    /// Floor acquisitions.
    pub turns: u32,
    /// The longest turn.
    pub longest_turn: Option<Span>,
    /// Interruptions made by this party.
    pub interruptions: u32,
    /// Backchannels made by this party.
    pub backchannels: u32,
}

/// Every figure the engine computes, in samples.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    /// Whole call length.
    pub duration: Samples,
    /// Call length minus time with analysis paused.
    pub active: Samples,
    /// The rep's figures.
    pub rep: PartyMetrics,
    /// The prospect's figures.
    pub prospect: PartyMetrics,
    /// Time when neither speaks (within active time).
    pub silence: Samples,
    /// Time when both speak.
    pub overlap: Samples,
    /// Changes of floor (first acquisition excluded).
    pub floor_changes: u32,
    /// Every segment, classified, in start order.
    pub segments: Vec<Segment>,
    /// Every turn in order.
    pub turns: Vec<Turn>,
    /// Every pause in order.
    pub pauses: Vec<Pause>,
    /// Patience gaps (prospect -> rep floor changes).
    pub patience: Vec<Samples>,
    /// Response gaps (rep -> prospect floor changes).
    pub response_gaps: Vec<Samples>,
    /// Stretches where both parties speak.
    pub overlaps: Vec<Span>,
    /// Every interruption, in start order.
    pub interruptions: Vec<Interruption>,
}

impl Metrics {
    /// The figures of one party.
    pub fn party(&self, party: Party) -> &PartyMetrics {
        match party {
            Party::Rep => &self.rep,
            Party::Prospect => &self.prospect,
        }
    }

    fn party_mut(&mut self, party: Party) -> &mut PartyMetrics {
        match party {
            Party::Rep => &mut self.rep,
            Party::Prospect => &mut self.prospect,
        }
    }

    /// Held pauses (broken by the prospect).
    pub fn held(&self) -> usize {
        self.pauses
            .iter()
            .filter(|p| p.broken_by == BrokenBy::Prospect)
            .count()
    }

    /// Broken pauses (broken by the rep).
    pub fn broken(&self) -> usize {
        self.pauses
            .iter()
            .filter(|p| p.broken_by == BrokenBy::Rep)
            .count()
    }
}

/// Length of the union of sorted spans clipped to nothing (spans of one party never overlap).
fn total(spans: &[Span]) -> Samples {
    spans.iter().map(Span::len).sum()
}

/// The stretches where two sorted lists of non-overlapping spans overlap (both parties
/// speak).
pub fn overlaps(a: &[Span], b: &[Span]) -> Vec<Span> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        let lo = a[i].start.max(b[j].start);
        let hi = a[i].end.min(b[j].end);
        if hi > lo {
            out.push(Span::new(lo, hi));
        }
        if a[i].end < b[j].end {
            i += 1;
        } else {
            j += 1;
        }
    }
    out
}

/// The interruptions among segments in start order (the rep first on a tie) whose
/// backchannels are known: a non-backchannel segment that starts while the other party's
/// latest non-backchannel segment goes on, and overlaps it long enough.
pub fn interruptions(segments: &[Segment], th: &Thresholds) -> Vec<Interruption> {
    let mut latest: [Option<Span>; 2] = [None, None];
    let mut out = Vec::new();
    for (k, s) in segments.iter().enumerate() {
        if s.backchannel {
            continue;
        }
        let me = s.party.index();
        if let Some(theirs) = latest[1 - me]
            && theirs.end > s.span.start
        {
            let overlap_end = theirs.end.min(s.span.end);
            if th.is_interruption(s.span.start, overlap_end) {
                out.push(Interruption {
                    party: s.party,
                    start: s.span.start,
                    overlap_end,
                    segment: k,
                });
            }
        }
        latest[me] = Some(s.span);
    }
    out
}

/// The gaps before each change of floor, among segments in start order whose backchannels
/// are known (product.md, "patience"): from the end of the holder's latest non-backchannel
/// segment to the start of the segment that takes the floor, negative gaps counted as 0.
/// Returns (patience: the rep takes the floor, response gaps: the prospect takes it).
pub fn floor_gaps(segments: &[Segment]) -> (Vec<Samples>, Vec<Samples>) {
    let mut floor: Option<Party> = None;
    let mut last_main_end: [Option<Samples>; 2] = [None, None];
    let (mut patience, mut response) = (Vec::new(), Vec::new());
    for s in segments.iter().filter(|s| !s.backchannel) {
        if let Some(holder) = floor
            && holder != s.party
            && let Some(end) = last_main_end[holder.index()]
        {
            let gap = s.span.start.saturating_sub(end);
            match s.party {
                Party::Rep => patience.push(gap),
                Party::Prospect => response.push(gap),
            }
        }
        floor = Some(s.party);
        let e = &mut last_main_end[s.party.index()];
        *e = Some(e.map_or(s.span.end, |v| v.max(s.span.end)));
    }
    (patience, response)
}

/// The span of `spans` (sorted, non-overlapping) that contains `t`, if any.
fn containing(spans: &[Span], t: Samples) -> Option<Span> {
    let k = spans.partition_point(|s| s.start <= t);
    k.checked_sub(1).map(|k| spans[k]).filter(|s| s.end > t)
}

/// The end of the last span of `spans` that starts before `t`, if any.
fn last_end_before(spans: &[Span], t: Samples) -> Option<Samples> {
    let k = spans.partition_point(|s| s.start < t);
    k.checked_sub(1).map(|k| spans[k].end)
}

/// Median of a list (mean of the two middle values for even counts); None when empty.
pub fn median<T: Copy + Ord + Into<i128>>(values: &[T]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    let mut v = values.to_vec();
    v.sort_unstable();
    let n = v.len();
    let f = |x: T| x.into() as f64;
    Some(if n % 2 == 1 {
        f(v[n / 2])
    } else {
        (f(v[n / 2 - 1]) + f(v[n / 2])) / 2.0
    })
}

/// Mean of a list; None when empty.
pub fn mean(values: &[Samples]) -> Option<f64> {
    if values.is_empty() {
        None
    } else {
        Some(values.iter().map(|&v| v as f64).sum::<f64>() / values.len() as f64)
    }
}

/// Computes every figure from both parties' bridged segments.
///
/// `rep` and `prospect` must each be sorted and non-overlapping (the output of bridging);
/// `paused` lists the stretches with analysis paused (no speech is detected inside them and
/// no pause is counted across them).
pub fn analyze(
    rep: &[Span],
    prospect: &[Span],
    duration: Samples,
    paused: &[Span],
    th: &Thresholds,
) -> Metrics {
    let sides: [&[Span]; 2] = [rep, prospect];
    let paused_len: Samples = paused.iter().map(|p| p.len().min(duration)).sum();
    let mut m = Metrics {
        duration,
        active: duration.saturating_sub(paused_len),
        ..Metrics::default()
    };
    m.rep.talk = total(rep);
    m.prospect.talk = total(prospect);
    m.overlaps = overlaps(rep, prospect);
    m.overlap = total(&m.overlaps);
    let union = m.rep.talk + m.prospect.talk - m.overlap;
    m.silence = m.active.saturating_sub(union);

    // All segments in start order (rep first on a tie, for determinism).
    let mut order: Vec<(Party, Span)> = rep
        .iter()
        .map(|s| (Party::Rep, *s))
        .chain(prospect.iter().map(|s| (Party::Prospect, *s)))
        .collect();
    order.sort_by_key(|(p, s)| (s.start, p.index()));

    // Sweep: floor, backchannels, turns.
    let mut floor: Option<Party> = None;
    // Index in `m.turns` of the current turn.
    let mut current_turn: Option<usize> = None;
    for &(party, span) in &order {
        let mut backchannel = false;
        match floor {
            None => {
                floor = Some(party);
                m.turns.push(Turn { party, span });
                current_turn = Some(m.turns.len() - 1);
                m.party_mut(party).turns += 1;
            }
            Some(holder) if holder == party => {
                if let Some(t) = current_turn {
                    m.turns[t].span.end = m.turns[t].span.end.max(span.end);
                }
            }
            Some(holder) => {
                let holder_spans = sides[holder.index()];
                let holder_speaking = containing(holder_spans, span.start).is_some();
                let near_holder_end = last_end_before(holder_spans, span.start)
                    .is_some_and(|end| th.follows_closely(span.start.saturating_sub(end)));
                backchannel =
                    th.backchannel_length(span.len()) && (holder_speaking || near_holder_end);
                if !backchannel {
                    // The floor passes at the start of this segment.
                    m.floor_changes += 1;
                    floor = Some(party);
                    m.turns.push(Turn { party, span });
                    current_turn = Some(m.turns.len() - 1);
                    m.party_mut(party).turns += 1;
                }
            }
        }
        if backchannel {
            m.party_mut(party).backchannels += 1;
        }
        m.segments.push(Segment {
            party,
            span,
            backchannel,
            interruption: false,
        });
    }
    (m.patience, m.response_gaps) = floor_gaps(&m.segments);
    let cuts = interruptions(&m.segments, th);
    for cut in &cuts {
        m.segments[cut.segment].interruption = true;
        m.party_mut(cut.party).interruptions += 1;
    }
    m.interruptions = cuts;
    for turn in m.turns.clone() {
        let best = m.party_mut(turn.party);
        if best.longest_turn.is_none_or(|l| turn.span.len() > l.len()) {
            best.longest_turn = Some(turn.span);
        }
    }

    // Pauses: gaps in the union of all speech, after the first speech, at least pause_min,
    // not crossing a stretch with analysis paused.
    let mut covered_until: Option<Samples> = None;
    let mut pauses = Vec::new();
    let mut floor_at = FloorAt::new(&m.turns);
    let mut k = 0;
    while k < m.segments.len() {
        let start = m.segments[k].span.start;
        if let Some(gap_start) = covered_until
            && th.is_pause(gap_start, start)
            && !crosses(paused, gap_start, start)
        {
            // Who breaks it: every segment starting exactly at `start`.
            let mut parties = [false; 2];
            let mut j = k;
            while j < m.segments.len() && m.segments[j].span.start == start {
                parties[m.segments[j].party.index()] = true;
                j += 1;
            }
            let broken_by = match parties {
                [true, true] => BrokenBy::Both,
                [true, false] => BrokenBy::Rep,
                _ => BrokenBy::Prospect,
            };
            let yield_samples = (broken_by == BrokenBy::Prospect).then(|| {
                let seg = m.segments[k..j]
                    .iter()
                    .find(|s| s.party == Party::Prospect)
                    .copied();
                match seg {
                    Some(s) if !s.backchannel => m
                        .turns
                        .iter()
                        .find(|t| {
                            t.party == Party::Prospect
                                && t.span.start <= s.span.start
                                && s.span.start < t.span.end.max(t.span.start + 1)
                        })
                        .map_or(0, |t| t.span.end.saturating_sub(start)),
                    _ => 0,
                }
            });
            pauses.push(Pause {
                span: Span::new(gap_start, start),
                after: floor_at.at(gap_start),
                broken_by,
                yield_samples,
            });
        }
        let end = m.segments[k].span.end;
        covered_until = Some(covered_until.map_or(end, |c| c.max(end)));
        k += 1;
    }
    if let Some(gap_start) = covered_until
        && th.is_pause(gap_start, duration)
        && !crosses(paused, gap_start, duration)
    {
        pauses.push(Pause {
            span: Span::new(gap_start, duration),
            after: floor_at.at(gap_start),
            broken_by: BrokenBy::None,
            yield_samples: None,
        });
    }
    m.pauses = pauses;
    m
}

/// True when `[a, b)` meets a paused stretch.
fn crosses(paused: &[Span], a: Samples, b: Samples) -> bool {
    paused.iter().any(|p| p.start < b && a < p.end)
}

/// Answers "who held the floor at time t" over a list of turns, for non-decreasing t.
struct FloorAt<'a> {
    turns: &'a [Turn],
}

impl<'a> FloorAt<'a> {
    fn new(turns: &'a [Turn]) -> Self {
        FloorAt { turns }
    }

    fn at(&mut self, t: Samples) -> Option<Party> {
        // The floor at t belongs to the last turn that started at or before t.
        let k = self.turns.partition_point(|turn| turn.span.start <= t);
        k.checked_sub(1).map(|k| self.turns[k].party)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Thresholds in "samples" chosen so 1 unit = 10 ms: pause 100, backchannel 100, overlap 20.
    const TH: Thresholds = Thresholds {
        pause_min: 100,
        backchannel_max: 100,
        interruption_min_overlap: 20,
    };

    fn s(a: Samples, b: Samples) -> Span {
        Span::new(a, b)
    }

    #[test]
    fn the_lists_behind_the_counts() {
        // Rep 0-1000; the prospect cuts in at 800 and talks until 1500.
        let m = analyze(&[s(0, 1000)], &[s(800, 1500)], 1600, &[], &TH);
        assert_eq!(m.overlaps, vec![s(800, 1000)]);
        let cut = m.interruptions.first().copied().expect("one interruption");
        assert_eq!(m.interruptions.len(), 1);
        assert_eq!(
            (cut.party, cut.start, cut.overlap_end),
            (Party::Prospect, 800, 1000)
        );
        assert_eq!(m.prospect.interruptions, 1);
        assert!(m.segments[cut.segment].interruption);
        assert_eq!(m.response_gaps, vec![0]);
    }

    #[test]
    fn held_pause_after_a_question() {
        // Rep asks 0-300, silence 300-500 (2 s), prospect answers 500-900.
        let m = analyze(&[s(0, 300)], &[s(500, 900)], 950, &[], &TH);
        assert_eq!(m.pauses.len(), 1);
        let p = m.pauses[0];
        assert_eq!(p.span, s(300, 500));
        assert_eq!(p.after, Some(Party::Rep));
        assert_eq!(p.broken_by, BrokenBy::Prospect);
        assert_eq!(p.yield_samples, Some(400));
        assert_eq!(m.held(), 1);
        assert_eq!(m.broken(), 0);
        assert_eq!(m.rep.turns, 1);
        assert_eq!(m.prospect.turns, 1);
        assert_eq!(m.response_gaps, vec![200]);
        assert!(m.patience.is_empty());
        assert_eq!(m.silence, 950 - 700);
        assert_eq!(m.floor_changes, 1);
    }

    #[test]
    fn rep_broken_pause() {
        // Rep 0-300, silence 150 units, rep again 450-600, prospect 650-900.
        let m = analyze(&[s(0, 300), s(450, 600)], &[s(650, 900)], 900, &[], &TH);
        assert_eq!(m.pauses.len(), 1);
        assert_eq!(m.pauses[0].broken_by, BrokenBy::Rep);
        assert_eq!(m.pauses[0].after, Some(Party::Rep));
        assert_eq!(m.pauses[0].yield_samples, None);
        assert_eq!(m.broken(), 1);
        // One rep turn 0-600 (the floor never passed), then the prospect's.
        assert_eq!(m.turns.len(), 2);
        assert_eq!(m.turns[0].span, s(0, 600));
        assert_eq!(m.rep.longest_turn, Some(s(0, 600)));
    }

    #[test]
    fn pause_at_the_end_of_the_call() {
        let m = analyze(&[s(100, 300)], &[s(350, 500)], 800, &[], &TH);
        // Leading silence (0-100) is not a pause; the trailing 300 units is, broken by none.
        assert_eq!(m.pauses.len(), 1);
        assert_eq!(m.pauses[0].span, s(500, 800));
        assert_eq!(m.pauses[0].broken_by, BrokenBy::None);
        assert_eq!(m.pauses[0].after, Some(Party::Prospect));
    }

    #[test]
    fn backchannel_inside_a_monologue() {
        // Rep talks 0-1000; prospect says "mm-hmm" 400-450 over it.
        let m = analyze(&[s(0, 1000)], &[s(400, 450)], 1000, &[], &TH);
        assert_eq!(m.prospect.backchannels, 1);
        assert_eq!(m.prospect.interruptions, 0);
        assert_eq!(m.prospect.turns, 0);
        assert_eq!(m.floor_changes, 0);
        assert_eq!(m.turns.len(), 1);
        assert_eq!(m.prospect.talk, 50);
        assert_eq!(m.overlap, 50);
        assert!(m.segments.iter().any(|x| x.backchannel));
    }

    #[test]
    fn backchannel_just_after_the_holder_stops() {
        // Rep 0-300, prospect "right" at 350-400 (within pause_min of the rep's end), rep 420-700.
        let m = analyze(&[s(0, 300), s(420, 700)], &[s(350, 400)], 700, &[], &TH);
        assert_eq!(m.prospect.backchannels, 1);
        assert_eq!(m.prospect.turns, 0);
        assert!(m.pauses.is_empty());
    }

    #[test]
    fn interruption_and_overlap() {
        // Prospect 0-500; rep starts at 400 and talks to 800 (overlap 100 >= 20, not short).
        let m = analyze(&[s(400, 800)], &[s(0, 500)], 800, &[], &TH);
        assert_eq!(m.rep.interruptions, 1);
        assert_eq!(m.prospect.interruptions, 0);
        assert_eq!(m.overlap, 100);
        assert_eq!(m.rep.turns, 1);
        // Patience with overlap: negative gap counts as 0.
        assert_eq!(m.patience, vec![0]);
        assert!(m.segments[1].interruption);
    }

    #[test]
    fn short_overlap_is_not_an_interruption() {
        // Rep starts 10 units before the prospect stops: overlap 10 < 20.
        let m = analyze(&[s(490, 800)], &[s(0, 500)], 800, &[], &TH);
        assert_eq!(m.rep.interruptions, 0);
        assert_eq!(m.rep.turns, 1);
    }

    #[test]
    fn patience_without_overlap() {
        // Prospect 0-300; rep waits 60 then speaks 360-600; prospect 900-1000 after a pause.
        let m = analyze(&[s(360, 600)], &[s(0, 300), s(900, 1000)], 1000, &[], &TH);
        assert_eq!(m.patience, vec![60]);
        assert_eq!(m.response_gaps, vec![300]);
        assert_eq!(m.floor_changes, 2);
        assert_eq!(m.pauses.len(), 1);
        assert_eq!(m.pauses[0].broken_by, BrokenBy::Prospect);
        assert_eq!(m.pauses[0].after, Some(Party::Rep));
    }

    #[test]
    fn exact_tie_is_broken_by_both() {
        let m = analyze(&[s(0, 100), s(300, 400)], &[s(300, 500)], 500, &[], &TH);
        assert_eq!(m.pauses[0].broken_by, BrokenBy::Both);
    }

    #[test]
    fn paused_analysis_is_not_a_pause_and_not_active() {
        let m = analyze(&[s(0, 100)], &[s(500, 600)], 600, &[s(150, 450)], &TH);
        assert!(m.pauses.is_empty());
        assert_eq!(m.active, 300);
        assert_eq!(m.silence, 100);
    }

    #[test]
    fn silence_yield_is_zero_for_a_backchannel_break() {
        // Rep 0-300, pause, prospect "mm" 420-440 is not a backchannel (120 after the rep's
        // end >= pause_min), so it takes the floor: yield = its turn end - pause end.
        let m = analyze(&[s(0, 300), s(460, 700)], &[s(420, 440)], 700, &[], &TH);
        assert_eq!(m.pauses[0].broken_by, BrokenBy::Prospect);
        assert_eq!(m.pauses[0].yield_samples, Some(20));
    }

    #[test]
    fn empty_call() {
        let m = analyze(&[], &[], 1000, &[], &TH);
        assert!(m.pauses.is_empty());
        assert_eq!(m.silence, 1000);
        assert!(median(&m.patience).is_none());
    }

    #[test]
    fn medians_and_means() {
        assert_eq!(median(&[3, 1, 2]), Some(2.0));
        assert_eq!(median(&[4, 1, 2, 3]), Some(2.5));
        assert_eq!(mean(&[1, 2]), Some(1.5));
    }
}
