//! The small commands: `config`, `vad`, `--help` examples.

use crate::common::*;

#[test]
fn config_default_prints_the_shipped_file_and_it_parses() {
    let out = tacet(&["config", "--default"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.contains("pause_min_s = 1.0"));
    let parsed = tacet::config::Config::from_toml(&text, std::path::Path::new("stdout"));
    assert!(parsed.is_ok(), "{parsed:?}");
}

#[test]
fn config_prints_the_effective_values_with_flags_file_winning() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("c.toml");
    std::fs::write(&cfg, "pause_min_s = 2.5\n").expect("write");
    let out = tacet(&["--config", cfg.to_str().expect("path"), "config"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("pause_min_s = 2.5"), "{text}");
    assert!(text.contains("c.toml"), "{text}");
}

#[test]
fn vad_prints_segments_then_cpu_time() {
    let demo = demo_wav();
    let out = tacet(&["vad", demo.to_str().expect("path"), "--channel", "1"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 5, "{text}");
    let last = lines.last().expect("lines");
    assert!(last.starts_with("# cpu_s "), "{last}");
    let mut prev_end = 0.0;
    for l in &lines[..lines.len() - 1] {
        let v: Vec<f64> = l.split(' ').map(|x| x.parse().expect("number")).collect();
        assert_eq!(v.len(), 2, "{l}");
        assert!(v[0] < v[1] && v[0] >= prev_end, "{l}");
        assert_eq!(
            l.split(' ')
                .next()
                .map(|x| x.split('.').nth(1).map(str::len)),
            Some(Some(3))
        );
        prev_end = v[1];
    }
}

#[test]
fn every_subcommand_has_help_with_an_example() {
    for cmd in ["analyze", "vad", "config"] {
        let out = tacet(&[cmd, "--help"]);
        assert!(out.status.success());
        assert!(
            stdout(&out).contains("Example"),
            "{cmd} --help lacks an example"
        );
    }
}

/// With TACET_DATA_DIR unset, help names the variable without an empty value after it.
#[test]
fn help_names_the_data_dir_variable_without_an_empty_value() {
    for args in [&["--help"][..], &["analyze", "--help"]] {
        let out = tacet(args);
        assert!(out.status.success());
        let text = stdout(&out);
        assert!(text.contains("TACET_DATA_DIR"), "{args:?}: {text}");
        assert!(!text.contains("TACET_DATA_DIR="), "{args:?}: {text}");
    }
}
