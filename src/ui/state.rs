//! The dashboard's state, folded from the analysis's events and snapshots and from keys.
//! Pure: no I/O and no wall clock. "Now" is the audio clock of the latest snapshot, so a cue
//! shows when the audio says so, whatever the playback speed.
//!
//! Events that arrive after the latest snapshot are folded into it (who speaks, the silence
//! in progress, the floor), so the "Now" line and the cue always read one and the same state:
//! a pause the rep just broke is never shown as broken beside a "Silence" that still runs.
//!
//! A session split into calls (a working day) shows "between calls" and the day so far
//! while no call is open, and the cues of one call never show in the next: each call
//! boundary clears them, and cues about moments before the call being heard are dropped.

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::analysis::Silent;
use crate::config::Config;
use crate::conversation::LiveEvent;
use crate::session::split::DaySoFar;
use crate::session::{SessionMsg, Snapshot};
use crate::timeline::{Party, Samples, s_to_samples, samples_to_s};

/// How long the outcome of a pause stays up (audio time).
const OUTCOME_SHOW_S: f64 = 3.0;
/// How long the interruption cue stays up (audio time).
const INTERRUPTION_SHOW_S: f64 = 4.0;
/// How long the monologue cue stays up at most, while the rep keeps the floor (audio time).
const MONOLOGUE_SHOW_S: f64 = 20.0;
/// How long "marked" is confirmed in the footer (audio time).
const MARK_FLASH_S: f64 = 2.0;
/// Talk (both sides) needed in the recent window before the talk-share cue may show.
const TALK_SHARE_MIN_TALK_S: f64 = 20.0;

/// Who is speaking now, and for how long.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Speaking {
    /// Analysis is paused: nothing is measured.
    Paused,
    /// Nobody has spoken yet.
    Waiting,
    /// Only the rep.
    Rep {
        /// Since how long, seconds.
        for_s: f64,
    },
    /// Only the prospect.
    Prospect {
        /// Since how long, seconds.
        for_s: f64,
    },
    /// Both at once.
    Both {
        /// Since how long, seconds.
        for_s: f64,
    },
    /// Neither.
    Silence {
        /// Since the true end of the last speech, seconds.
        for_s: f64,
    },
}

/// How a pause ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PauseEnd {
    /// The prospect spoke first: held.
    Held,
    /// The rep spoke first: broken.
    Broken,
    /// Both at once.
    Both,
}

/// The one cue on screen.
#[derive(Debug, Clone, PartialEq)]
pub enum Cue {
    /// A pause reached `nudge_after_s`: hold the silence.
    Hold {
        /// Seconds since the true end of speech.
        held_s: f64,
        /// Who held the floor when the silence began.
        after: Party,
    },
    /// A pause just ended.
    Outcome {
        /// Who broke it.
        end: PauseEnd,
        /// Its length, seconds.
        length_s: f64,
    },
    /// The rep is talking over the prospect.
    Interruption,
    /// One rep turn is long: a question that hands the buyer the wheel.
    Monologue {
        /// The turn's length so far, seconds.
        length_s: f64,
        /// The question offered.
        question: String,
    },
    /// The rep's recent share of talk is above `talk_share_warn`.
    TalkShare {
        /// Rep share of talk in the recent window (0..1).
        share: f64,
    },
    /// No call is open (a session split into calls): the day so far, calmly.
    BetweenCalls {
        /// The calls ended so far.
        day: DaySoFar,
    },
}

/// What a key asks the dashboard's loop to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Quit (the report is saved).
    Quit,
    /// Mark this moment.
    Mark,
    /// Pause or resume the analysis.
    SetPaused(bool),
}

#[derive(Debug, Clone, PartialEq)]
struct Outcome {
    end: PauseEnd,
    length_s: f64,
    until: Samples,
}

#[derive(Debug, Clone, PartialEq)]
struct Monologue {
    turn_start: Samples,
    question: String,
    until: Samples,
}

/// Thresholds, in samples, and cue switches taken from the configuration.
#[derive(Debug, Clone, PartialEq)]
struct Limits {
    nudge_after: Samples,
    no_signal: Samples,
    recent_window_s: f64,
    talk_share_target: f64,
    talk_share_warn: f64,
    hold: bool,
    monologue: bool,
    interruption: bool,
    talk_share: bool,
}

/// Everything the dashboard draws.
#[derive(Debug, Clone, PartialEq)]
pub struct UiState {
    title: String,
    limits: Limits,
    /// The latest snapshot, with the events that came after it folded in.
    snap: Option<Snapshot>,
    outcome: Option<Outcome>,
    interruption_until: Option<Samples>,
    monologue: Option<Monologue>,
    silence_cues: bool,
    paused: bool,
    help: bool,
    marks_sent: usize,
    mark_flash_until: Option<Samples>,
    ended: bool,
}

fn share(rep: Samples, prospect: Samples) -> Option<f64> {
    let total = rep + prospect;
    (total > 0).then(|| rep as f64 / total as f64)
}

impl UiState {
    /// A fresh state for a session titled `title`.
    pub fn new(config: &Config, title: &str) -> UiState {
        UiState {
            title: title.to_string(),
            limits: Limits {
                nudge_after: s_to_samples(config.nudge_after_s),
                no_signal: s_to_samples(config.no_signal_s),
                recent_window_s: config.recent_window_s,
                talk_share_target: config.talk_share_target,
                talk_share_warn: config.talk_share_warn,
                hold: config.cues.hold,
                monologue: config.cues.monologue,
                interruption: config.cues.interruption,
                talk_share: config.cues.talk_share,
            },
            snap: None,
            outcome: None,
            interruption_until: None,
            monologue: None,
            silence_cues: true,
            paused: false,
            help: false,
            marks_sent: 0,
            mark_flash_until: None,
            ended: false,
        }
    }

    /// Folds one message from the analysis.
    pub fn apply(&mut self, msg: &SessionMsg) {
        match msg {
            SessionMsg::Event(e) => self.on_event(e),
            SessionMsg::Snapshot(s) => self.on_snapshot(s),
            SessionMsg::Ended => self.ended = true,
        }
    }

    /// Takes the latest snapshot: it moves the audio clock.
    pub fn on_snapshot(&mut self, snap: &Snapshot) {
        self.snap = Some(*snap);
        // Marks are counted here as they are sent; the analysis's count only catches up.
        self.marks_sent = self.marks_sent.max(snap.marks);
    }

    /// Whether a moment at `t` belongs to the call being heard: always, unless the session
    /// is split into calls; then only inside the open call.
    fn in_this_call(&self, t: Samples) -> bool {
        match self.snap.and_then(|s| s.calls) {
            None => true,
            Some(view) => view.call_start.is_some_and(|start| t >= start),
        }
    }

    /// True between calls, in a session split into calls.
    pub fn between_calls(&self) -> bool {
        self.snap
            .and_then(|s| s.calls)
            .is_some_and(|view| view.call_start.is_none())
    }

    /// A call began or ended: what was on screen belonged to what came before.
    fn clear_cues(&mut self) {
        self.outcome = None;
        self.interruption_until = None;
        self.monologue = None;
    }

    /// Folds one event. Who speaks, the silence and the floor are updated at once, before
    /// the next snapshot confirms them, so the whole dashboard shows the same moment.
    pub fn on_event(&mut self, event: &LiveEvent) {
        let now = self.now();
        self.fold_into_snapshot(event);
        let moment = match event {
            LiveEvent::PauseClose { start_s, .. } => Some(*start_s),
            LiveEvent::Interruption { t_s, .. } => Some(*t_s),
            LiveEvent::Monologue { start_s, .. } => Some(*start_s),
            _ => None,
        };
        if moment.is_some_and(|t_s| !self.in_this_call(s_to_samples(t_s))) {
            // About a moment before the call being heard (or between calls).
            return;
        }
        match event {
            LiveEvent::CallStart { .. } | LiveEvent::CallEnd { .. } => self.clear_cues(),
            LiveEvent::PauseClose {
                start_s,
                end_s,
                broken_by,
                ..
            } => {
                let end = match broken_by.as_str() {
                    "prospect" => PauseEnd::Held,
                    "rep" => PauseEnd::Broken,
                    "both" => PauseEnd::Both,
                    // A trailing pause closed by the end of the call: nothing to report live.
                    _ => return,
                };
                self.outcome = Some(Outcome {
                    end,
                    length_s: end_s - start_s,
                    until: s_to_samples(*end_s).max(now) + s_to_samples(OUTCOME_SHOW_S),
                });
            }
            LiveEvent::Interruption {
                party: Party::Rep,
                t_s,
            } => {
                self.interruption_until =
                    Some(s_to_samples(*t_s).max(now) + s_to_samples(INTERRUPTION_SHOW_S));
            }
            LiveEvent::Monologue {
                start_s,
                length_s,
                question,
            } => {
                self.monologue = Some(Monologue {
                    turn_start: s_to_samples(*start_s),
                    question: question.clone(),
                    until: s_to_samples(start_s + length_s).max(now)
                        + s_to_samples(MONOLOGUE_SHOW_S),
                });
            }
            _ => {}
        }
    }

    /// Brings the latest snapshot up to `event`, as the analysis's next snapshot will.
    fn fold_into_snapshot(&mut self, event: &LiveEvent) {
        let Some(snap) = self.snap.as_mut() else {
            return;
        };
        match event {
            LiveEvent::SpeechStart { party, t_s } => {
                snap.speaking_since[party.index()] = Some(s_to_samples(*t_s));
                snap.silence_start = None;
            }
            LiveEvent::SpeechEnd { party, .. } => snap.speaking_since[party.index()] = None,
            LiveEvent::SilenceStart { start_s, after } => {
                snap.silence_start = Some(s_to_samples(*start_s));
                snap.floor = *after;
            }
            LiveEvent::Floor { party, t_s } => {
                snap.floor = Some(*party);
                snap.turn_start = Some(s_to_samples(*t_s));
            }
            LiveEvent::PauseClose {
                start_s,
                end_s,
                broken_by,
                ..
            } => {
                if snap.silence_start == Some(s_to_samples(*start_s)) {
                    snap.silence_start = None;
                }
                // The speech that ended it, should its own event have been dropped.
                let by: &[Party] = match broken_by.as_str() {
                    "rep" => &[Party::Rep],
                    "prospect" => &[Party::Prospect],
                    "both" => &[Party::Rep, Party::Prospect],
                    _ => &[],
                };
                for p in by {
                    snap.speaking_since[p.index()].get_or_insert(s_to_samples(*end_s));
                }
            }
            LiveEvent::SilenceEnd { start_s, .. }
                if snap.silence_start == Some(s_to_samples(*start_s)) =>
            {
                snap.silence_start = None;
            }
            LiveEvent::CallStart { start_s, .. } => {
                if let Some(view) = snap.calls.as_mut() {
                    view.call_start = Some(s_to_samples(*start_s));
                }
            }
            LiveEvent::CallEnd { .. } => {
                if let Some(view) = snap.calls.as_mut() {
                    view.call_start = None;
                }
                // Nothing of the call just ended is coaching for what comes next.
                snap.talk_total = [0, 0];
                snap.talk_recent = [0, 0];
            }
            _ => {}
        }
    }

    /// Handles a key; returns what the loop must do, if anything.
    pub fn on_key(&mut self, key: KeyEvent) -> Option<Action> {
        if key.kind != KeyEventKind::Press {
            return None;
        }
        match key.code {
            KeyCode::Char('c') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                Some(Action::Quit)
            }
            KeyCode::Char('q' | 'Q') => Some(Action::Quit),
            KeyCode::Char(' ') => {
                self.marks_sent += 1;
                self.mark_flash_until = Some(self.now() + s_to_samples(MARK_FLASH_S));
                Some(Action::Mark)
            }
            KeyCode::Char('p' | 'P') => {
                self.paused = !self.paused;
                Some(Action::SetPaused(self.paused))
            }
            KeyCode::Char('n' | 'N') => {
                self.silence_cues = !self.silence_cues;
                None
            }
            KeyCode::Char('?') | KeyCode::F(1) => {
                self.help = !self.help;
                None
            }
            KeyCode::Esc => {
                self.help = false;
                None
            }
            _ => None,
        }
    }

    /// The session's title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// Audio time of the latest snapshot.
    pub fn now(&self) -> Samples {
        self.snap.map_or(0, |s| s.now)
    }

    /// True once the analysis has ended.
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// True while the help overlay is open.
    pub fn help_open(&self) -> bool {
        self.help
    }

    /// True while analysis is paused with `p` (shown at once, before the analysis confirms).
    pub fn paused(&self) -> bool {
        self.paused
    }

    /// True while silence cues (hold and outcome) are on: configured and not switched off
    /// with `n`.
    pub fn silence_cues_on(&self) -> bool {
        self.limits.hold && self.silence_cues
    }

    /// True when `n` switched the silence cues off (they are configured on).
    pub fn silence_cues_muted(&self) -> bool {
        self.limits.hold && !self.silence_cues
    }

    /// Marks made so far.
    pub fn marks(&self) -> usize {
        self.marks_sent
    }

    /// True just after a mark, to confirm it.
    pub fn mark_flash(&self) -> bool {
        self.mark_flash_until.is_some_and(|t| self.now() < t)
    }

    /// Audio lost so far, both sides, seconds.
    pub fn dropped_s(&self) -> f64 {
        self.snap
            .map_or(0.0, |s| samples_to_s(s.dropped[0] + s.dropped[1]))
    }

    /// The short warning line of the status area: a side with no signal or no speech so far
    /// (the report's `no_signal` and `no_speech`) and audio lost to overload.
    pub fn warning(&self) -> Option<String> {
        let snap = self.snap?;
        let mut parts = Vec::new();
        for (party, silent) in [Party::Rep, Party::Prospect].into_iter().zip(snap.silent) {
            match silent {
                Some(Silent::NoSignal) => parts.push(format!("{}: no signal", party.name())),
                Some(Silent::NoSpeech) => {
                    parts.push(format!("{}: no speech, wrong channel?", party.name()));
                }
                None => {}
            }
        }
        if snap.dropped.iter().any(|&d| d > 0) {
            parts.push("audio lost".into());
        }
        (!parts.is_empty()).then(|| format!("warning: {}", parts.join(", ")))
    }

    /// Latest level per side (rep, prospect), dBFS.
    pub fn levels_dbfs(&self) -> [f32; 2] {
        self.snap.map_or([-120.0; 2], |s| s.levels.dbfs)
    }

    /// Per side, how long it has had no signal, once that reaches `no_signal_s`.
    pub fn no_signal_s(&self) -> [Option<f64>; 2] {
        let Some(snap) = self.snap else {
            return [None, None];
        };
        snap.levels.quiet_since.map(|q| {
            q.map(|q| snap.now.saturating_sub(q))
                .filter(|&quiet| quiet >= self.limits.no_signal && quiet > 0)
                .map(samples_to_s)
        })
    }

    /// Rep share of talk over the whole call, once anyone has spoken (none between calls).
    pub fn share_call(&self) -> Option<f64> {
        self.snap
            .filter(|_| !self.between_calls())
            .and_then(|s| share(s.talk_total[0], s.talk_total[1]))
    }

    /// Rep share of talk in the recent window (none between calls).
    pub fn share_recent(&self) -> Option<f64> {
        self.snap
            .filter(|_| !self.between_calls())
            .and_then(|s| share(s.talk_recent[0], s.talk_recent[1]))
    }

    /// The target rep share of talk.
    pub fn talk_share_target(&self) -> f64 {
        self.limits.talk_share_target
    }

    /// The rep share of talk above which the gauge warns.
    pub fn talk_share_warn(&self) -> f64 {
        self.limits.talk_share_warn
    }

    /// When the hold cue shows, seconds into a pause.
    pub fn nudge_after_s(&self) -> f64 {
        samples_to_s(self.limits.nudge_after)
    }

    /// The recent window, seconds.
    pub fn recent_window_s(&self) -> f64 {
        self.limits.recent_window_s
    }

    /// Who is speaking now, and for how long.
    pub fn speaking(&self) -> Speaking {
        if self.paused {
            return Speaking::Paused;
        }
        let Some(s) = self.snap else {
            return Speaking::Waiting;
        };
        let since = |t: Samples| samples_to_s(s.now.saturating_sub(t));
        match s.speaking_since {
            [Some(r), Some(p)] => Speaking::Both {
                for_s: since(r.max(p)),
            },
            [Some(r), None] => Speaking::Rep { for_s: since(r) },
            [None, Some(p)] => Speaking::Prospect { for_s: since(p) },
            [None, None] => match s.silence_start {
                Some(start) => Speaking::Silence {
                    for_s: since(start),
                },
                None if s.floor.is_none() => Speaking::Waiting,
                None => Speaking::Silence { for_s: 0.0 },
            },
        }
    }

    /// The hold cue, if a pause has reached `nudge_after_s` (audio time since the true end
    /// of speech) and silence cues are on. A silence that touches paused analysis is no pause,
    /// nor is one that began before the call being heard.
    fn hold(&self) -> Option<Cue> {
        let s = self.snap?;
        let start = s.silence_start?;
        let after = s.floor?;
        if !self.in_this_call(start) {
            return None;
        }
        if s.silence_touches_paused || s.speaking_since.iter().any(Option::is_some) {
            return None;
        }
        let held = s.now.saturating_sub(start);
        (held >= self.limits.nudge_after).then(|| Cue::Hold {
            held_s: samples_to_s(held),
            after,
        })
    }

    /// The one cue to show now, by priority: hold (or a pause's outcome) > interruption >
    /// monologue > talk share (only while the rep has the floor and the prospect is not
    /// speaking). None while paused; between calls, only the day so far.
    pub fn cue(&self) -> Option<Cue> {
        if self.paused() {
            return None;
        }
        if self.between_calls() {
            let day = self
                .snap
                .and_then(|s| s.calls)
                .map(|view| view.day)
                .unwrap_or_default();
            return Some(Cue::BetweenCalls { day });
        }
        let now = self.now();
        if self.silence_cues_on() {
            if let Some(hold) = self.hold() {
                return Some(hold);
            }
            if let Some(o) = &self.outcome
                && now < o.until
            {
                return Some(Cue::Outcome {
                    end: o.end,
                    length_s: o.length_s,
                });
            }
        }
        if self.limits.interruption && self.interruption_until.is_some_and(|t| now < t) {
            return Some(Cue::Interruption);
        }
        if self.limits.monologue
            && let Some(m) = &self.monologue
            && let Some(s) = self.snap
            && now < m.until
            && s.floor == Some(Party::Rep)
            && s.turn_start == Some(m.turn_start)
        {
            return Some(Cue::Monologue {
                length_s: samples_to_s(now.saturating_sub(m.turn_start)),
                question: m.question.clone(),
            });
        }
        // Advice for while the rep holds the floor: it gives way while the prospect talks.
        // A silent side (wrong device or channel) makes the share meaningless: no coaching.
        if self.limits.talk_share
            && let Some(s) = self.snap
            && s.floor == Some(Party::Rep)
            && s.speaking_since[Party::Prospect.index()].is_none()
            && s.silent.iter().all(Option::is_none)
            && samples_to_s(s.talk_recent[0] + s.talk_recent[1]) >= TALK_SHARE_MIN_TALK_S
            && let Some(share) = self.share_recent()
            && share > self.limits.talk_share_warn
        {
            return Some(Cue::TalkShare { share });
        }
        None
    }
}
