//! The dashboard end to end, in a real terminal: `tacet replay` of the demo call inside tmux,
//! the hold cue during a scripted pause, a mark, quit, and the mark in the saved report.
//! Without tmux the test is skipped on a laptop and fails in CI (`CI=true`).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use crate::common::demo_wav;

/// A private tmux server (its own socket, no user config), killed when dropped.
struct Tmux {
    socket: String,
    session: String,
}

impl Tmux {
    fn cmd(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .args(["-L", &self.socket])
            .args(args)
            .output()
            .expect("run tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(
            &self
                .cmd(&["capture-pane", "-p", "-t", &self.session])
                .stdout,
        )
        .to_string()
    }

    /// Polls the screen until `found` holds, at most `limit`; returns the last screen.
    fn wait_for(&self, limit: Duration, found: impl Fn(&str) -> bool) -> Result<String, String> {
        let deadline = Instant::now() + limit;
        loop {
            let screen = self.screen();
            if found(&screen) {
                return Ok(screen);
            }
            if Instant::now() > deadline {
                return Err(screen);
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.cmd(&["kill-server"]);
    }
}

fn tmux_available() -> bool {
    Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn reports(data: &Path) -> Vec<PathBuf> {
    let Ok(dirs) = std::fs::read_dir(data.join("sessions")) else {
        return Vec::new();
    };
    dirs.flatten()
        .map(|d| d.path().join("report.json"))
        .filter(|p| p.exists())
        .collect()
}

fn quote(p: &Path) -> String {
    format!("'{}'", p.display().to_string().replace('\'', r"'\''"))
}

#[test]
fn replay_dashboard_shows_the_hold_cue_takes_a_mark_and_saves_it() {
    if !tmux_available() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "tmux is needed for the dashboard test in CI (.ci/run installs it)"
        );
        eprintln!("skipped: tmux is not installed (apt-get install tmux)");
        return;
    }
    let home = tempfile::tempdir().expect("tempdir");
    let data = home.path().join("data");
    // The shell in the pane writes tacet's exit code to a file once tacet has ended
    // (written aside, then renamed, so the file never exists half-written). tmux's own
    // `#{pane_dead_status}` can still be empty after `#{pane_dead}` turned 1.
    let exit_code = home.path().join("exit_code");
    let command = format!(
        "env HOME={home} XDG_CONFIG_HOME={home}/.config XDG_DATA_HOME={home}/.local/share \
         {bin} replay {demo} --speed 4 --data-dir {data} 2> {home}/stderr.txt; \
         echo $? > {home}/exit_code.part && mv {home}/exit_code.part {exit_code}",
        home = quote(home.path()),
        bin = quote(Path::new(env!("CARGO_BIN_EXE_tacet"))),
        demo = quote(&demo_wav()),
        data = quote(&data),
        exit_code = quote(&exit_code),
    );
    // The pane stays on screen after its command ends (for the failure messages); set in the
    // server's config, so it holds from the start rather than after the command has begun.
    let conf = home.path().join("tmux.conf");
    std::fs::write(&conf, "set-option -g remain-on-exit on\n").expect("write tmux.conf");
    let tmux = Tmux {
        socket: format!("tacet-e2e-{}", std::process::id()),
        session: "dash".into(),
    };
    let started = tmux.cmd(&[
        "-f",
        conf.to_str().expect("path"),
        "new-session",
        "-d",
        "-s",
        &tmux.session,
        "-x",
        "100",
        "-y",
        "30",
        &command,
    ]);
    assert!(
        started.status.success(),
        "tmux new-session: {}",
        String::from_utf8_lossy(&started.stderr)
    );

    // The first scripted pause opens at 4.128 s (about 1 s into it at speed 4, plus start-up).
    // Later ones follow if the first is missed; a pause at 4x lasts well over a poll.
    let held = tmux
        .wait_for(Duration::from_secs(45), |s| {
            s.contains("Let them answer.") || s.contains("Let them think.")
        })
        .unwrap_or_else(|screen| panic!("no hold cue on screen:\n{screen}"));
    assert!(held.contains("hold the silence"), "{held}");
    assert!(
        held.contains("███"),
        "the seconds held in big digits:\n{held}"
    );
    assert!(held.contains("tacet  replay: "), "{held}");

    tmux.cmd(&["send-keys", "-t", &tmux.session, "Space"]);
    tmux.wait_for(Duration::from_secs(10), |s| {
        s.contains("marked (1)") || s.contains("marks 1")
    })
    .unwrap_or_else(|screen| panic!("the mark was not confirmed:\n{screen}"));
    tmux.cmd(&["send-keys", "-t", &tmux.session, "q"]);

    let deadline = Instant::now() + Duration::from_secs(30);
    let code = loop {
        if let Ok(code) = std::fs::read_to_string(&exit_code) {
            break code;
        }
        assert!(
            Instant::now() < deadline,
            "tacet did not quit on q:\n{}",
            tmux.screen()
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    let stderr = std::fs::read_to_string(home.path().join("stderr.txt")).unwrap_or_default();
    assert_eq!(code.trim(), "0", "{stderr}");
    assert!(stderr.contains("saved: "), "{stderr}");

    let saved = reports(&data);
    assert_eq!(saved.len(), 1, "{saved:?} {stderr}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&saved[0]).expect("read report"))
            .expect("report is JSON");
    let marks = report["marks"].as_array().expect("marks");
    assert_eq!(marks.len(), 1, "{report}");
    let t_s = marks[0]["t_s"].as_f64().expect("t_s");
    assert!(t_s > 4.0 && t_s < 152.5, "{t_s}");
}
