//! Accuracy on real labeled speech from ../shared/data (fails in CI when the data is absent).

use crate::common::*;

#[test]
fn vad_f1_on_the_ten_vad_testset_is_at_least_0_85() {
    let Some(data) = shared_data("vad_f1_on_the_ten_vad_testset") else {
        return;
    };
    let dir = data.join("ten-vad-testset");
    let mut counts = tacet_eval::FrameCounts::default();
    let mut files = 0;
    for k in 1..=20 {
        let wav = dir.join(format!("testset-audio-{k:02}.wav"));
        let scv = dir.join(format!("testset-audio-{k:02}.scv"));
        let out = tacet(&["vad", wav.to_str().expect("path")]);
        assert!(out.status.success(), "{}", stderr(&out));
        let detected: Vec<tacet::timeline::Span> = stdout(&out)
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(|l| {
                let mut it = l.split(' ').map(|x| x.parse::<f64>().expect("number"));
                let start = tacet::timeline::s_to_samples(it.next().expect("start"));
                let end = tacet::timeline::s_to_samples(it.next().expect("end"));
                tacet::timeline::Span::new(start, end)
            })
            .collect();
        let labels =
            tacet_eval::parse_scv(&std::fs::read_to_string(&scv).expect("labels")).expect("scv");
        let reader = hound::WavReader::open(&wav).expect("wav");
        let rate = u64::from(reader.spec().sample_rate);
        let n_frames = (u64::from(reader.duration()) * 100 / rate) as usize;
        let reference = tacet_eval::reference_frames(&labels, n_frames);
        let decided = tacet_eval::detector_frames(&detected, n_frames);
        counts.add(&reference, &decided, None);
        files += 1;
    }
    assert_eq!(files, 20, "expected files 01-20 of the testset");
    let f1 = counts.f1();
    eprintln!("ten-vad-testset pooled frame F1 = {f1:.4}");
    assert!(f1 >= 0.85, "F1 {f1:.4} < 0.85");
}
