//! Bridging of one party's speech: gaps shorter than `merge_gap` inside one party's speech
//! are talking (breaths between words), so the segments on either side become one.

use crate::timeline::{Samples, Span};
use crate::vad::Edge;

/// Bridges short gaps in a stream of speech edges. Pure: no clock, no I/O.
///
/// Feed it the detector's edges in order and the detector's `decided_until` time; it emits
/// a closed segment once the gap after it is known to be at least `merge_gap` long.
#[derive(Debug, Clone)]
pub struct Bridger {
    merge_gap: Samples,
    /// Start of the segment being built, if any.
    open_start: Option<Samples>,
    /// End of the segment being built, when speech has (tentatively) ended.
    pending_end: Option<Samples>,
}

impl Bridger {
    /// A bridger that joins gaps shorter than `merge_gap` samples.
    pub fn new(merge_gap: Samples) -> Bridger {
        Bridger {
            merge_gap,
            open_start: None,
            pending_end: None,
        }
    }

    /// Applies one detector edge. Returns a segment when the edge proves the previous one
    /// closed (a start after a long enough gap).
    pub fn edge(&mut self, edge: Edge) -> Option<Span> {
        match edge {
            Edge::Start(t) => match (self.open_start, self.pending_end) {
                (Some(start), Some(end)) if t.saturating_sub(end) >= self.merge_gap => {
                    self.open_start = Some(t);
                    self.pending_end = None;
                    Some(Span::new(start, end))
                }
                (Some(_), _) => {
                    // A short gap: bridged, the segment goes on.
                    self.pending_end = None;
                    None
                }
                (None, _) => {
                    self.open_start = Some(t);
                    self.pending_end = None;
                    None
                }
            },
            Edge::End(t) => {
                if self.open_start.is_some() {
                    self.pending_end = Some(t);
                }
                None
            }
        }
    }

    /// Tells the bridger that no edge before `decided_until` is still to come. Returns the
    /// segment that is now known to be closed, if any.
    pub fn advance(&mut self, decided_until: Samples) -> Option<Span> {
        match (self.open_start, self.pending_end) {
            (Some(start), Some(end)) if decided_until >= end + self.merge_gap => {
                self.open_start = None;
                self.pending_end = None;
                Some(Span::new(start, end))
            }
            _ => None,
        }
    }

    /// End of stream: closes whatever is open (an open segment ends at `stream_end`).
    pub fn finish(&mut self, stream_end: Samples) -> Option<Span> {
        let out = match (self.open_start, self.pending_end) {
            (Some(start), Some(end)) => Some(Span::new(start, end)),
            (Some(start), None) => Some(Span::new(start, stream_end)),
            _ => None,
        };
        self.open_start = None;
        self.pending_end = None;
        out
    }

    /// Start of the speech in progress (bridged), if the party is speaking or may still be.
    pub fn open_start(&self) -> Option<Samples> {
        self.open_start
    }

    /// The tentative end of the speech in progress, when the party has gone quiet.
    pub fn pending_end(&self) -> Option<Samples> {
        self.pending_end
    }
}

/// Bridges a whole list of sorted, non-overlapping spans (the batch twin of [`Bridger`]).
pub fn bridge(spans: &[Span], merge_gap: Samples) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    for s in spans {
        match out.last_mut() {
            Some(last) if s.start.saturating_sub(last.end) < merge_gap => {
                last.end = last.end.max(s.end)
            }
            _ => out.push(*s),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(edges: &[Edge], merge_gap: Samples, end: Samples) -> Vec<Span> {
        let mut b = Bridger::new(merge_gap);
        let mut out = Vec::new();
        for e in edges {
            out.extend(b.edge(*e));
            let t = match e {
                Edge::Start(t) | Edge::End(t) => *t,
            };
            out.extend(b.advance(t));
        }
        out.extend(b.finish(end));
        out
    }

    #[test]
    fn short_gaps_are_bridged_long_ones_split() {
        use Edge::*;
        let edges = [
            Start(0),
            End(100),
            Start(120),
            End(200),
            Start(500),
            End(600),
        ];
        assert_eq!(
            run(&edges, 50, 1000),
            vec![Span::new(0, 200), Span::new(500, 600)]
        );
        assert_eq!(
            bridge(
                &[Span::new(0, 100), Span::new(120, 200), Span::new(500, 600)],
                50
            ),
            vec![Span::new(0, 200), Span::new(500, 600)]
        );
    }

    #[test]
    fn advance_closes_after_the_merge_gap_only() {
        let mut b = Bridger::new(50);
        assert_eq!(b.edge(Edge::Start(0)), None);
        assert_eq!(b.edge(Edge::End(100)), None);
        assert_eq!(b.advance(149), None);
        assert_eq!(b.advance(150), Some(Span::new(0, 100)));
        assert_eq!(b.finish(1000), None);
    }

    #[test]
    fn open_speech_ends_at_stream_end() {
        let mut b = Bridger::new(50);
        b.edge(Edge::Start(10));
        assert_eq!(b.finish(400), Some(Span::new(10, 400)));
    }
}
