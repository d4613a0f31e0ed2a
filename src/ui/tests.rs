//! Dashboard tests: the state driven by an injected audio clock (no sleeping, no wall clock),
//! and every state rendered into ratatui's `TestBackend`.

use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::widgets::Widget;

use super::state::{Action, Cue, PauseEnd, Speaking, UiState};
use super::theme::{PLAIN, THEME, Theme};
use super::view::{Dashboard, MIN_HEIGHT_ROWS, MIN_WIDTH_COLS};
use super::widgets::cue::CuePanel;
use crate::analysis::{Levels, Silent};
use crate::config::Config;
use crate::conversation::LiveEvent;
use crate::session::split::{CallFigures, DaySoFar};
use crate::session::{CallsView, SessionMsg, Snapshot};
use crate::timeline::{Party, Samples, s_to_samples};

fn at(s: f64) -> Samples {
    s_to_samples(s)
}

/// A snapshot at `now_s` with normal levels and nothing going on.
fn snap(now_s: f64) -> Snapshot {
    Snapshot {
        now: at(now_s),
        levels: Levels {
            dbfs: [-30.0, -35.0],
            quiet_since: [None, None],
        },
        floor: None,
        speaking_since: [None, None],
        silence_start: None,
        silence_touches_paused: false,
        turn_start: None,
        talk_total: [0, 0],
        talk_recent: [0, 0],
        dropped: [0, 0],
        silent: [None, None],
        paused: false,
        marks: 0,
        calls: None,
    }
}

/// The rep spoke from 0.5 s; silence since `silence_s`; audio clock at `now_s`.
fn silence_after(after: Party, silence_s: f64, now_s: f64) -> Snapshot {
    Snapshot {
        floor: Some(after),
        silence_start: Some(at(silence_s)),
        turn_start: Some(at(0.5)),
        talk_total: [at(3.0), at(2.0)],
        talk_recent: [at(3.0), at(2.0)],
        ..snap(now_s)
    }
}

fn state() -> UiState {
    UiState::new(&Config::default(), "replay: call.wav")
}

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn render_with(state: &UiState, theme: &Theme, width: u16, height: u16) -> Buffer {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|f| f.render_widget(Dashboard::new(state, theme), f.area()))
        .expect("draw");
    terminal.backend().buffer().clone()
}

fn lines(buf: &Buffer) -> Vec<String> {
    (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
        })
        .collect()
}

fn screen(state: &UiState) -> String {
    lines(&render_with(state, &THEME, 80, 24)).join("\n")
}

// --- the audio clock -------------------------------------------------------------------

#[test]
fn hold_cue_appears_when_the_pause_reaches_nudge_after_in_audio_time() {
    let config = Config::default();
    let nudge = at(config.nudge_after_s);
    let mut s = UiState::new(&config, "t");
    let start = at(4.128);
    // One 10 ms frame before the threshold: nothing yet.
    s.apply(&SessionMsg::Snapshot(Box::new(Snapshot {
        now: start + nudge - 160,
        ..silence_after(Party::Rep, 4.128, 0.0)
    })));
    assert_eq!(s.cue(), None);
    assert!(matches!(s.speaking(), Speaking::Silence { for_s } if (for_s - 0.99).abs() < 1e-9));
    // The snapshot that reaches it: the cue, counted from the true end of speech.
    s.apply(&SessionMsg::Snapshot(Box::new(Snapshot {
        now: start + nudge,
        ..silence_after(Party::Rep, 4.128, 0.0)
    })));
    assert_eq!(
        s.cue(),
        Some(Cue::Hold {
            held_s: 1.0,
            after: Party::Rep
        })
    );
    // The clock is the audio's: a later snapshot moves the count, nothing else does.
    s.apply(&SessionMsg::Snapshot(Box::new(silence_after(
        Party::Rep,
        4.128,
        5.628,
    ))));
    assert!(matches!(s.cue(), Some(Cue::Hold { held_s, .. }) if (held_s - 1.5).abs() < 1e-9));
}

#[test]
fn hold_cue_follows_the_configured_delay_and_a_late_decided_silence() {
    let config = Config {
        nudge_after_s: 2.5,
        ..Config::default()
    };
    let mut s = UiState::new(&config, "t");
    s.on_snapshot(&silence_after(Party::Prospect, 10.0, 12.49));
    assert_eq!(s.cue(), None);
    // The end of speech was decided late: the first snapshot that knows it is already past
    // the threshold, and the count still starts at the true end.
    s.on_snapshot(&silence_after(Party::Prospect, 10.0, 12.7));
    assert!(
        matches!(s.cue(), Some(Cue::Hold { held_s, after: Party::Prospect }) if (held_s - 2.7).abs() < 1e-9)
    );
}

#[test]
fn a_closed_pause_hides_the_hold_cue_before_the_next_snapshot() {
    let mut s = state();
    s.on_snapshot(&silence_after(Party::Rep, 4.0, 5.9));
    assert!(matches!(s.cue(), Some(Cue::Hold { .. })));
    s.on_event(&LiveEvent::PauseClose {
        start_s: 4.0,
        end_s: 6.0,
        after: Some(Party::Rep),
        broken_by: "prospect".into(),
        held: true,
    });
    assert_eq!(
        s.cue(),
        Some(Cue::Outcome {
            end: PauseEnd::Held,
            length_s: 2.0
        })
    );
    // The outcome is brief: gone 3 s (audio) after the pause ended.
    s.on_snapshot(&Snapshot {
        floor: Some(Party::Prospect),
        speaking_since: [None, Some(at(6.0))],
        ..snap(8.9)
    });
    assert!(matches!(s.cue(), Some(Cue::Outcome { .. })));
    s.on_snapshot(&Snapshot {
        floor: Some(Party::Prospect),
        speaking_since: [None, Some(at(6.0))],
        ..snap(9.0)
    });
    assert_eq!(s.cue(), None);
}

#[test]
fn now_and_the_cue_agree_when_the_rep_breaks_the_silence_between_snapshots() {
    let mut s = state();
    // Silent since 10.0 s after the rep spoke; the last snapshot is at 11.42 s.
    s.on_snapshot(&silence_after(Party::Rep, 10.0, 11.42));
    let before = screen(&s);
    assert!(before.contains("Silence   1.4 s"), "{before}");
    assert!(before.contains("You asked. Let them answer."), "{before}");
    // The rep speaks at 11.4 s; the events arrive before the next snapshot.
    s.on_event(&LiveEvent::SpeechStart {
        party: Party::Rep,
        t_s: 11.4,
    });
    s.on_event(&LiveEvent::PauseClose {
        start_s: 10.0,
        end_s: 11.4,
        after: Some(Party::Rep),
        broken_by: "rep".into(),
        held: false,
    });
    let text = screen(&s);
    assert!(text.contains("You broke the silence at 1.4 s"), "{text}");
    let now = text.lines().find(|l| l.contains("Now")).expect("now line");
    assert!(now.contains("Rep speaking"), "{text}");
    assert!(!now.contains("Silence"), "{text}");
    assert!(matches!(s.speaking(), Speaking::Rep { .. }));

    // The same when the speech's own event was dropped: the closed pause is enough.
    let mut d = state();
    d.on_snapshot(&silence_after(Party::Rep, 10.0, 11.42));
    d.on_event(&LiveEvent::PauseClose {
        start_s: 10.0,
        end_s: 11.4,
        after: Some(Party::Rep),
        broken_by: "rep".into(),
        held: false,
    });
    assert!(
        matches!(d.speaking(), Speaking::Rep { .. }),
        "{}",
        screen(&d)
    );

    // And back: the rep stops, a silence starts; "Now" says so before the next snapshot.
    s.on_event(&LiveEvent::SpeechEnd {
        party: Party::Rep,
        start_s: 11.4,
        end_s: 11.42,
    });
    s.on_event(&LiveEvent::SilenceStart {
        start_s: 11.42,
        after: Some(Party::Rep),
    });
    assert!(matches!(s.speaking(), Speaking::Silence { .. }));
}

#[test]
fn the_talk_share_cue_gives_way_while_the_prospect_talks() {
    let mut s = state();
    let busy = Snapshot {
        floor: Some(Party::Rep),
        turn_start: Some(at(90.0)),
        speaking_since: [Some(at(90.0)), None],
        talk_total: [at(90.0), at(20.0)],
        talk_recent: [at(90.0), at(20.0)],
        ..snap(100.0)
    };
    s.on_snapshot(&busy);
    assert!(matches!(s.cue(), Some(Cue::TalkShare { .. })));
    assert!(screen(&s).contains("Ask, then listen."));
    // The prospect starts talking (over the rep, then alone with the floor): the cue goes.
    s.on_snapshot(&Snapshot {
        speaking_since: [Some(at(90.0)), Some(at(100.0))],
        ..busy
    });
    assert_eq!(s.cue(), None);
    assert!(!screen(&s).contains("Ask, then listen."));
    s.on_snapshot(&Snapshot {
        floor: Some(Party::Prospect),
        turn_start: Some(at(100.0)),
        speaking_since: [None, Some(at(100.0))],
        ..busy
    });
    assert_eq!(s.cue(), None);
    // Between the prospect's words, their turn goes on: still no cue.
    s.on_snapshot(&Snapshot {
        now: at(104.5),
        floor: Some(Party::Prospect),
        turn_start: Some(at(100.0)),
        speaking_since: [None, None],
        silence_start: Some(at(104.0)),
        ..busy
    });
    assert_eq!(s.cue(), None);
}

// --- priorities and switches -------------------------------------------------------------

#[test]
fn one_cue_at_a_time_by_priority() {
    let mut s = state();
    s.on_snapshot(&Snapshot {
        floor: Some(Party::Rep),
        turn_start: Some(at(40.0)),
        speaking_since: [Some(at(40.0)), None],
        talk_total: [at(90.0), at(20.0)],
        talk_recent: [at(90.0), at(20.0)],
        ..snap(101.0)
    });
    // Talk share above the warning line.
    assert!(matches!(s.cue(), Some(Cue::TalkShare { share }) if share > 0.8));
    s.on_event(&LiveEvent::Monologue {
        start_s: 40.0,
        length_s: 60.0,
        question: "What do you want to do next?".into(),
    });
    assert!(matches!(s.cue(), Some(Cue::Monologue { .. })));
    s.on_event(&LiveEvent::Interruption {
        party: Party::Rep,
        t_s: 100.8,
    });
    assert_eq!(s.cue(), Some(Cue::Interruption));
    // A prospect's interruption is not the rep's to fix.
    let mut p = state();
    p.on_event(&LiveEvent::Interruption {
        party: Party::Prospect,
        t_s: 0.0,
    });
    assert_eq!(p.cue(), None);
    // Hold beats everything.
    s.on_snapshot(&Snapshot {
        talk_total: [at(90.0), at(20.0)],
        talk_recent: [at(90.0), at(20.0)],
        ..silence_after(Party::Rep, 101.0, 102.5)
    });
    assert!(matches!(s.cue(), Some(Cue::Hold { .. })));
}

#[test]
fn n_switches_silence_cues_off_and_on_and_config_disables_each_cue() {
    let mut s = state();
    s.on_snapshot(&silence_after(Party::Rep, 4.0, 5.5));
    assert!(matches!(s.cue(), Some(Cue::Hold { .. })));
    assert_eq!(s.on_key(key(KeyCode::Char('n'))), None);
    assert_eq!(s.cue(), None);
    assert!(screen(&s).contains("silence cues off"));
    s.on_key(key(KeyCode::Char('n')));
    assert!(matches!(s.cue(), Some(Cue::Hold { .. })));

    let mut config = Config::default();
    config.cues.hold = false;
    config.cues.interruption = false;
    config.cues.monologue = false;
    config.cues.talk_share = false;
    let mut off = UiState::new(&config, "t");
    off.on_snapshot(&Snapshot {
        talk_total: [at(90.0), at(1.0)],
        talk_recent: [at(90.0), at(1.0)],
        ..silence_after(Party::Rep, 4.0, 5.5)
    });
    off.on_event(&LiveEvent::Interruption {
        party: Party::Rep,
        t_s: 5.0,
    });
    assert_eq!(off.cue(), None);
}

#[test]
fn keys_map_to_actions() {
    let mut s = state();
    assert_eq!(s.on_key(key(KeyCode::Char('q'))), Some(Action::Quit));
    assert_eq!(
        s.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL)),
        Some(Action::Quit)
    );
    assert_eq!(s.on_key(key(KeyCode::Char(' '))), Some(Action::Mark));
    assert_eq!(s.marks(), 1);
    assert!(s.mark_flash());
    assert_eq!(
        s.on_key(key(KeyCode::Char('p'))),
        Some(Action::SetPaused(true))
    );
    assert!(s.paused());
    assert_eq!(s.speaking(), Speaking::Paused);
    assert_eq!(
        s.on_key(key(KeyCode::Char('p'))),
        Some(Action::SetPaused(false))
    );
    assert_eq!(s.on_key(key(KeyCode::Char('?'))), None);
    assert!(s.help_open());
    s.on_key(key(KeyCode::Esc));
    assert!(!s.help_open());
    s.apply(&SessionMsg::Ended);
    assert!(s.ended());
}

// --- rendering ---------------------------------------------------------------------------

#[test]
fn renders_who_is_speaking_and_for_how_long() {
    let mut s = state();
    assert!(screen(&s).contains("waiting for speech"));
    s.on_snapshot(&Snapshot {
        floor: Some(Party::Rep),
        turn_start: Some(at(0.5)),
        speaking_since: [Some(at(0.5)), None],
        talk_total: [at(4.2), 0],
        talk_recent: [at(4.2), 0],
        ..snap(4.7)
    });
    let text = screen(&s);
    assert!(text.contains("Rep speaking   4.2 s"), "{text}");
    assert!(text.contains("100%"), "{text}");
    s.on_snapshot(&Snapshot {
        speaking_since: [Some(at(0.5)), Some(at(4.5))],
        ..snap(4.8)
    });
    assert!(screen(&s).contains("Both speaking   0.3 s"));
    s.on_snapshot(&Snapshot {
        floor: Some(Party::Prospect),
        speaking_since: [None, Some(at(4.5))],
        ..snap(6.0)
    });
    assert!(screen(&s).contains("Prospect speaking   1.5 s"));
}

#[test]
fn renders_no_hold_cue_before_the_threshold_and_a_big_one_after() {
    let mut s = state();
    s.on_snapshot(&silence_after(Party::Rep, 4.128, 4.9));
    let before = screen(&s);
    assert!(before.contains("Silence   0.8 s"), "{before}");
    assert!(!before.contains("Let them answer"), "{before}");
    let cue_rows = &lines(&render_with(&s, &THEME, 80, 24))[3..17];
    assert!(cue_rows.iter().all(|r| !r.contains('█')), "{before}");

    s.on_snapshot(&silence_after(Party::Rep, 4.128, 5.428));
    let after = screen(&s);
    assert!(after.contains("You asked. Let them answer."), "{after}");
    assert!(after.contains("hold the silence"), "{after}");

    s.on_snapshot(&silence_after(Party::Prospect, 4.128, 5.428));
    assert!(screen(&s).contains("Let them think."));
}

#[test]
fn the_hold_cue_is_big_digits_with_the_seconds_held() {
    let cue = Cue::Hold {
        held_s: 1.3,
        after: Party::Rep,
    };
    let area = Rect::new(0, 0, 40, 10);
    let mut buf = Buffer::empty(area);
    CuePanel::new(Some(&cue), false, &PLAIN).render(area, &mut buf);
    let expected = [
        "                                        ",
        "             ██        ██████           ",
        "           ████            ██           ",
        "             ██          ████           ",
        "             ██            ██           ",
        "           ██████  ██  ██████ s         ",
        "                                        ",
        "       You asked. Let them answer.      ",
        "            hold the silence            ",
        "                                        ",
    ];
    assert_eq!(lines(&buf), expected);
}

/// A snapshot of a session split into calls: in the call that started at `call_start_s`, or
/// between calls (`None`), with `calls` calls ended so far.
fn in_day(base: Snapshot, call_start_s: Option<f64>, calls: usize) -> Snapshot {
    Snapshot {
        calls: Some(CallsView {
            call_start: call_start_s.map(at),
            day: DaySoFar {
                calls,
                held: 7,
                broken: 3,
                talk: [at(400.0), at(600.0)],
                longest_monologue: at(72.0),
                last: (calls > 0).then_some(CallFigures {
                    duration: at(271.0),
                    talk: [at(82.0), at(118.0)],
                    held: 4,
                    broken: 2,
                }),
            },
        }),
        ..base
    }
}

#[test]
fn between_calls_the_dashboard_says_so_and_shows_the_day_so_far() {
    let mut s = state();
    // A long silence after the last call: no hold cue, the day instead.
    s.on_snapshot(&in_day(silence_after(Party::Rep, 100.0, 160.0), None, 2));
    assert!(s.between_calls());
    assert!(matches!(s.cue(), Some(Cue::BetweenCalls { day }) if day.calls == 2));
    let text = screen(&s);
    assert!(text.contains("Between calls"), "{text}");
    assert!(
        text.contains("So far: 2 calls, 7 of 10 pauses held"),
        "{text}"
    );
    assert!(
        text.contains("your share of talk 40%, longest monologue 1:12"),
        "{text}"
    );
    assert!(!text.contains("Let them"), "{text}");
    // No talk share of a call that is over.
    assert_eq!(s.share_call(), None);
    assert_eq!(s.share_recent(), None);
    // Before the first call.
    let mut first = state();
    first.on_snapshot(&in_day(snap(3.0), None, 0));
    assert!(screen(&first).contains("No call yet"), "{}", screen(&first));
    // Not split: no such thing as between calls.
    let mut whole = state();
    whole.on_snapshot(&silence_after(Party::Rep, 100.0, 160.0));
    assert!(!whole.between_calls());
    assert!(matches!(whole.cue(), Some(Cue::Hold { .. })));
}

/// The cues of one call never show in the next: a call boundary clears what is up, and a
/// pause, interruption or monologue that began before the call being heard is dropped.
#[test]
fn the_cues_of_one_call_never_leak_into_the_next() {
    let mut s = state();
    s.on_snapshot(&in_day(snap(50.0), Some(10.0), 0));
    s.on_event(&LiveEvent::Interruption {
        party: Party::Rep,
        t_s: 49.5,
    });
    assert_eq!(s.cue(), Some(Cue::Interruption));
    s.on_event(&LiveEvent::CallEnd {
        call: 1,
        start_s: 10.0,
        end_s: 50.5,
    });
    assert!(s.between_calls());
    s.on_event(&LiveEvent::CallStart {
        call: 2,
        start_s: 120.0,
    });
    s.on_snapshot(&in_day(snap(125.0), Some(120.0), 1));
    assert_eq!(s.cue(), None, "the interruption of call 1 is gone");
    // The silence that ran from call 1 into call 2 is not a pause of call 2.
    s.on_event(&LiveEvent::PauseClose {
        start_s: 50.0,
        end_s: 120.0,
        after: Some(Party::Rep),
        broken_by: "rep".into(),
        held: false,
    });
    assert_eq!(s.cue(), None);
    s.on_snapshot(&in_day(
        silence_after(Party::Rep, 60.0, 126.0),
        Some(120.0),
        1,
    ));
    assert_eq!(
        s.cue(),
        None,
        "no hold cue for a silence from before the call"
    );
    // A pause of call 2 itself shows.
    s.on_event(&LiveEvent::PauseClose {
        start_s: 122.0,
        end_s: 124.0,
        after: Some(Party::Rep),
        broken_by: "prospect".into(),
        held: true,
    });
    assert!(matches!(s.cue(), Some(Cue::Outcome { .. })));
    // Talk shares are the call's own: what the snapshot says, folded to none at its end.
    s.on_snapshot(&in_day(
        Snapshot {
            floor: Some(Party::Rep),
            speaking_since: [Some(at(126.0)), None],
            talk_total: [at(90.0), at(20.0)],
            talk_recent: [at(90.0), at(20.0)],
            ..snap(140.0)
        },
        Some(120.0),
        1,
    ));
    assert!(matches!(s.cue(), Some(Cue::TalkShare { .. })));
    s.on_event(&LiveEvent::CallEnd {
        call: 2,
        start_s: 120.0,
        end_s: 141.0,
    });
    assert_eq!(s.share_call(), None);
    assert!(matches!(s.cue(), Some(Cue::BetweenCalls { .. })));
}

#[test]
fn renders_the_outcome_held_and_broken() {
    let mut s = state();
    s.on_snapshot(&snap(6.2));
    s.on_event(&LiveEvent::PauseClose {
        start_s: 4.128,
        end_s: 7.328,
        after: Some(Party::Rep),
        broken_by: "prospect".into(),
        held: true,
    });
    assert!(screen(&s).contains("Held 3.2 s - they spoke"));
    s.on_event(&LiveEvent::PauseClose {
        start_s: 10.0,
        end_s: 11.4,
        after: Some(Party::Rep),
        broken_by: "rep".into(),
        held: false,
    });
    let text = screen(&s);
    assert!(text.contains("You broke the silence at 1.4 s"), "{text}");
    assert!(!text.contains("Held 3.2"), "{text}");
}

#[test]
fn renders_the_monologue_cue_with_its_question() {
    let mut s = state();
    s.on_snapshot(&Snapshot {
        floor: Some(Party::Rep),
        turn_start: Some(at(43.8)),
        speaking_since: [Some(at(43.8)), None],
        ..snap(104.0)
    });
    s.on_event(&LiveEvent::Monologue {
        start_s: 43.8,
        length_s: 60.0,
        question: "What would you need to see to move forward on your own terms?".into(),
    });
    let text = screen(&s);
    assert!(text.contains("You have had the floor for 1:00."), "{text}");
    assert!(
        text.contains("\"What would you need to see to move forward on your own terms?\""),
        "{text}"
    );
    // Once the floor passes, the cue goes.
    s.on_snapshot(&Snapshot {
        floor: Some(Party::Prospect),
        turn_start: Some(at(110.5)),
        ..snap(111.0)
    });
    assert!(!screen(&s).contains("Hand them the wheel"));
}

#[test]
fn renders_the_interruption_cue() {
    let mut s = state();
    s.on_snapshot(&Snapshot {
        floor: Some(Party::Prospect),
        speaking_since: [Some(at(118.6)), Some(at(114.6))],
        ..snap(118.9)
    });
    s.on_event(&LiveEvent::Interruption {
        party: Party::Rep,
        t_s: 118.6,
    });
    let text = screen(&s);
    assert!(text.contains("You are talking over them."), "{text}");
    assert!(text.contains("Let them finish."), "{text}");
}

#[test]
fn renders_the_no_signal_warning_and_dropped_audio() {
    let mut s = state();
    s.on_snapshot(&Snapshot {
        levels: Levels {
            dbfs: [-28.0, -120.0],
            quiet_since: [None, Some(0)],
        },
        dropped: [1600, 0],
        ..snap(19.9)
    });
    assert!(!screen(&s).contains("no signal"));
    s.on_snapshot(&Snapshot {
        levels: Levels {
            dbfs: [-28.0, -120.0],
            quiet_since: [None, Some(0)],
        },
        dropped: [1600, 0],
        ..snap(25.0)
    });
    let text = screen(&s);
    let prospect = text
        .lines()
        .find(|l| l.contains("Prospect"))
        .expect("prospect meter");
    assert!(
        prospect.contains("no signal for 25 s - check the device"),
        "{text}"
    );
    assert!(
        !text
            .lines()
            .any(|l| l.contains("Rep ") && l.contains("no signal")),
        "{text}"
    );
    assert!(text.contains("dropped 0.1 s"), "{text}");
}

/// A side silent so far (the report's `no_signal` / `no_speech`) is named on the status
/// line, and the talk-share cue, meaningless then, stays away.
#[test]
fn a_silent_side_is_warned_in_the_status_line_and_silences_the_talk_share_cue() {
    let mut s = state();
    let talking = Snapshot {
        talk_total: [at(90.0), 0],
        talk_recent: [at(90.0), 0],
        floor: Some(Party::Rep),
        ..snap(101.0)
    };
    s.on_snapshot(&talking);
    assert!(matches!(s.cue(), Some(Cue::TalkShare { .. })));
    assert!(!screen(&s).contains("warning"));
    s.on_snapshot(&Snapshot {
        silent: [None, Some(Silent::NoSpeech)],
        dropped: [1600, 0],
        ..talking
    });
    assert_eq!(s.cue(), None);
    let rows = lines(&render_with(&s, &THEME, 80, 24));
    assert!(
        rows[0].contains("warning: prospect: no speech, wrong channel?, audio lost"),
        "{}",
        rows[0]
    );
    assert!(rows[0].trim_end().ends_with("1:41"), "{}", rows[0]);
    s.on_snapshot(&Snapshot {
        silent: [Some(Silent::NoSignal), None],
        ..talking
    });
    assert!(screen(&s).contains("warning: rep: no signal"));
}

/// A silence that went on through paused analysis is not a pause: after resuming, no hold
/// cue counts it.
#[test]
fn no_hold_cue_for_a_silence_that_touches_paused_analysis() {
    let mut s = state();
    s.on_snapshot(&silence_after(Party::Rep, 4.0, 30.0));
    assert!(matches!(s.cue(), Some(Cue::Hold { .. })));
    s.on_snapshot(&Snapshot {
        silence_touches_paused: true,
        ..silence_after(Party::Rep, 4.0, 30.0)
    });
    assert_eq!(s.cue(), None);
}

#[test]
fn renders_paused_instead_of_any_cue() {
    let mut s = state();
    s.on_snapshot(&silence_after(Party::Rep, 4.0, 6.0));
    s.on_key(key(KeyCode::Char('p')));
    let text = screen(&s);
    assert!(text.contains("PAUSED"), "{text}");
    assert!(text.contains("analysis paused"), "{text}");
    assert!(!text.contains("Let them answer"), "{text}");
}

#[test]
fn renders_the_help_overlay() {
    let mut s = state();
    s.on_key(key(KeyCode::Char('?')));
    let text = screen(&s);
    for needle in [
        "Help",
        "quit and save the report",
        "mark this moment",
        "pause analysis",
        "silence cues off / on",
    ] {
        assert!(text.contains(needle), "{needle}: {text}");
    }
}

#[test]
fn fits_80_by_24_with_every_row_in_place() {
    let mut s = state();
    s.on_snapshot(&Snapshot {
        talk_total: [at(30.0), at(40.0)],
        talk_recent: [at(30.0), at(40.0)],
        levels: Levels {
            dbfs: [-120.0, -40.0],
            quiet_since: [Some(0), None],
        },
        dropped: [0, 0],
        marks: 2,
        ..silence_after(Party::Rep, 68.0, 70.0)
    });
    let buf = render_with(&s, &THEME, 80, 24);
    let rows = lines(&buf);
    assert_eq!(rows.len(), 24);
    assert!(
        rows[0].starts_with(" tacet  replay: call.wav"),
        "{}",
        rows[0]
    );
    assert!(rows[0].trim_end().ends_with("1:10"), "{}", rows[0]);
    assert!(rows[2].contains("Silence   2.0 s"), "{}", rows[2]);
    let all = rows.join("\n");
    assert!(all.contains("You asked. Let them answer."), "{all}");
    assert!(all.contains("target 43%"), "{all}");
    assert!(all.contains("last 3 min"), "{all}");
    assert!(
        all.contains("no signal for 70 s - check the device"),
        "{all}"
    );
    assert!(rows[23].contains("q quit"), "{}", rows[23]);
    assert!(rows[23].contains("marks 2"), "{}", rows[23]);
    assert!(
        rows[23].trim_end().ends_with("dropped 0.0 s"),
        "{}",
        rows[23]
    );
    // A mark is confirmed without pushing the keys off the line.
    s.on_key(key(KeyCode::Char(' ')));
    let rows = lines(&render_with(&s, &THEME, 80, 24));
    assert!(rows[23].contains("? help"), "{}", rows[23]);
    assert!(rows[23].contains("marked (3)"), "{}", rows[23]);
    // Smaller than 80x24 still draws without panicking.
    let tiny = render_with(&s, &THEME, 30, 8);
    assert_eq!(tiny.area.height, 8);
}

/// A busy moment: the hold cue, a side without signal, marks.
fn busy_state() -> UiState {
    let mut s = state();
    s.on_snapshot(&Snapshot {
        talk_total: [at(30.0), at(40.0)],
        talk_recent: [at(30.0), at(40.0)],
        levels: Levels {
            dbfs: [-120.0, -40.0],
            quiet_since: [Some(0), None],
        },
        marks: 12,
        ..silence_after(Party::Rep, 68.0, 999.0)
    });
    s
}

#[test]
fn below_the_minimum_size_one_line_says_the_terminal_is_too_small() {
    let mut s = busy_state();
    for help in [false, true] {
        if help {
            s.on_key(key(KeyCode::Char('?')));
        }
        let rows = lines(&render_with(&s, &THEME, 50, 15));
        let used: Vec<&String> = rows.iter().filter(|r| !r.trim().is_empty()).collect();
        assert_eq!(used.len(), 1, "{}", rows.join("\n"));
        assert_eq!(
            used[0].trim(),
            "terminal too small (50x15): tacet needs 74x18",
            "{}",
            rows.join("\n")
        );
        // One short of the minimum either way is too small too.
        for (w, h) in [(MIN_WIDTH_COLS - 1, 24), (80, MIN_HEIGHT_ROWS - 1)] {
            let text = lines(&render_with(&s, &THEME, w, h)).join("\n");
            assert!(text.contains("terminal too small"), "{w}x{h}: {text}");
        }
        // Tiny terminals still draw without panicking.
        for (w, h) in [(0, 0), (1, 1), (10, 3)] {
            let _ = render_with(&s, &THEME, w, h);
        }
    }
}

#[test]
fn at_the_minimum_size_every_row_and_the_help_fit_unbroken() {
    let mut s = busy_state();
    let (w, h) = (MIN_WIDTH_COLS, MIN_HEIGHT_ROWS);
    let rows = lines(&render_with(&s, &THEME, w, h));
    let all = rows.join("\n");
    assert!(!all.contains("too small"), "{all}");
    assert!(rows[0].trim_end().ends_with("16:39"), "{all}");
    // The hold cue in big digits, with its words.
    assert!(
        all.contains('█') && all.contains("hold the silence"),
        "{all}"
    );
    assert!(all.contains("You asked. Let them answer."), "{all}");
    assert!(
        all.contains("no signal for 999 s - check the device"),
        "{all}"
    );
    let footer = &rows[usize::from(h) - 1];
    assert!(footer.contains("? help"), "{footer}");
    assert!(
        footer.trim_end().ends_with("marks 12  dropped 0.0 s"),
        "{footer}"
    );
    // The help box: each key on one line, the note whole.
    s.on_key(key(KeyCode::Char('?')));
    let help = lines(&render_with(&s, &THEME, w, h)).join("\n");
    for line in [
        "q, Ctrl-C   quit and save the report",
        "space       mark this moment (in the report)",
        "p           pause analysis (privacy), again to resume",
        "n           silence cues off / on",
        "?, Esc      close this help",
        "([cues]).",
    ] {
        assert!(help.contains(line), "{line}: {help}");
    }
}

#[test]
fn no_color_renders_without_colours() {
    let mut s = state();
    s.on_snapshot(&Snapshot {
        talk_total: [at(90.0), at(10.0)],
        talk_recent: [at(90.0), at(10.0)],
        ..silence_after(Party::Rep, 4.0, 5.5)
    });
    s.on_key(key(KeyCode::Char('p')));
    s.on_key(key(KeyCode::Char('?')));
    let buf = render_with(&s, &PLAIN, 80, 24);
    for cell in buf.content() {
        assert_eq!(cell.fg, Color::Reset, "{cell:?}");
        assert_eq!(cell.bg, Color::Reset, "{cell:?}");
    }
    let colour = render_with(&s, &THEME, 80, 24);
    assert!(colour.content().iter().any(|c| c.fg != Color::Reset));
}
