//! Moments to review: the places in a call a coach would replay, picked from the engine's
//! figures in time order (product.md, "Moments to review"): each pause the rep broke, each
//! rep interruption, the longest monologue, the longest customer story and each marked
//! moment. Pure: the reports only word and render them.

use crate::conversation::engine::{BrokenBy, Metrics};
use crate::timeline::{Party, Samples, Span};

/// What happened at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MomentKind {
    /// The rep spoke into a pause; `after` is who spoke before it.
    BrokenPause {
        /// Who held the floor when the pause opened.
        after: Option<Party>,
    },
    /// The rep talked over the prospect.
    Interruption,
    /// The rep's longest turn.
    LongestMonologue,
    /// The prospect's longest turn.
    LongestStory,
    /// The rep marked the moment (`space`).
    Mark,
}

impl MomentKind {
    /// Order among moments that start together.
    fn rank(self) -> u8 {
        match self {
            MomentKind::BrokenPause { .. } => 0,
            MomentKind::Interruption => 1,
            MomentKind::LongestMonologue => 2,
            MomentKind::LongestStory => 3,
            MomentKind::Mark => 4,
        }
    }

    /// The name in reports (`moments[].kind`).
    pub fn name(self) -> &'static str {
        match self {
            MomentKind::BrokenPause { .. } => "broken_pause",
            MomentKind::Interruption => "interruption",
            MomentKind::LongestMonologue => "longest_monologue",
            MomentKind::LongestStory => "longest_story",
            MomentKind::Mark => "mark",
        }
    }
}

/// One moment: what and when.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    /// What happened.
    pub kind: MomentKind,
    /// When (a mark is an empty span at its time).
    pub span: Span,
}

/// The moments of a call, in time order (at equal starts, in the order of [`MomentKind`]).
pub fn moments(m: &Metrics, marks: &[Samples]) -> Vec<Moment> {
    let mut out: Vec<Moment> = Vec::new();
    for p in &m.pauses {
        if p.broken_by == BrokenBy::Rep {
            out.push(Moment {
                kind: MomentKind::BrokenPause { after: p.after },
                span: p.span,
            });
        }
    }
    for i in m.interruptions.iter().filter(|i| i.party == Party::Rep) {
        out.push(Moment {
            kind: MomentKind::Interruption,
            span: Span::new(i.start, i.overlap_end.max(i.start)),
        });
    }
    if let Some(span) = m.rep.longest_turn {
        out.push(Moment {
            kind: MomentKind::LongestMonologue,
            span,
        });
    }
    if let Some(span) = m.prospect.longest_turn {
        out.push(Moment {
            kind: MomentKind::LongestStory,
            span,
        });
    }
    for &t in marks {
        out.push(Moment {
            kind: MomentKind::Mark,
            span: Span::new(t, t),
        });
    }
    out.sort_by_key(|x| (x.span.start, x.kind.rank()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::engine::{Thresholds, analyze};

    const TH: Thresholds = Thresholds {
        pause_min: 100,
        backchannel_max: 100,
        interruption_min_overlap: 20,
    };

    fn s(a: Samples, b: Samples) -> Span {
        Span::new(a, b)
    }

    #[test]
    fn a_call_gives_its_moments_in_time_order() {
        // Rep 0-500; prospect 700-1500 (a held pause 500-700); rep breaks the pause after
        // the prospect (1500-1650) at 1650-1900, and talks over the prospect's 2000-2600
        // at 2300-2700 (an interruption of 300); a mark at 1000.
        let rep = [s(0, 500), s(1650, 1900), s(2300, 2700)];
        let prospect = [s(700, 1500), s(2000, 2600)];
        let m = analyze(&rep, &prospect, 3000, &[], &TH);
        let got: Vec<(&str, Samples, Samples)> = moments(&m, &[1000])
            .iter()
            .map(|x| (x.kind.name(), x.span.start, x.span.end))
            .collect();
        assert_eq!(
            got,
            vec![
                ("longest_monologue", 0, 500),
                ("longest_story", 700, 1500),
                ("mark", 1000, 1000),
                ("broken_pause", 1500, 1650),
                ("interruption", 2300, 2600),
            ]
        );
        let broken = moments(&m, &[])
            .into_iter()
            .find(|x| x.kind.name() == "broken_pause")
            .map(|x| x.kind);
        assert_eq!(
            broken,
            Some(MomentKind::BrokenPause {
                after: Some(Party::Prospect)
            })
        );
    }

    #[test]
    fn a_silent_call_has_no_moments() {
        let m = analyze(&[], &[], 1000, &[], &TH);
        assert!(moments(&m, &[]).is_empty());
    }
}
