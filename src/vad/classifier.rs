//! The project's frame classifier: the spectral front end (noise floor, far-end leak)
//! feeds the learned model's features, the model gives a speech probability per frame,
//! and a hysteresis on it decides. Two rules stand beside the model: frames under the
//! absolute silence floor are never speech, and while the far end talks, a frame that the
//! far end's predicted leak explains (its SNR against noise and leak under a floor, and
//! the leak explaining more of it than that) is not the rep's speech: the bleed gate, the
//! spectral rule's leak model kept in charge of what it is good at. Its levels are chosen
//! with the model on the training data's validation split. And a steady tone (ringback,
//! busy, dial tone: [`super::tone`]) is not speech.

use super::features::{
    FAR_ACTIVITY, FeatureExtractor, LEAK_EXPLAINED, MEAN_SNR, NUM_FEATURES, feature_db,
};
use super::model::SpeechModel;
use super::model_weights as weights;
use super::spectral::{NUM_BANDS, SILENCE_FLOOR_DBFS, SpectralClassifier};
use super::tone::ToneGate;
use super::{FrameClassifier, TrackerParams};

/// Speech / not speech per frame from the learned model.
#[derive(Clone)]
pub struct ModelClassifier {
    front: SpectralClassifier,
    features: FeatureExtractor,
    feature_values: [f32; NUM_FEATURES],
    model: SpeechModel,
    tone: ToneGate,
    probability: f32,
    speaking: bool,
}

impl std::fmt::Debug for ModelClassifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModelClassifier")
            .field("probability", &self.probability)
            .field("speaking", &self.speaking)
            .finish_non_exhaustive()
    }
}

impl Default for ModelClassifier {
    fn default() -> Self {
        Self::new()
    }
}

impl ModelClassifier {
    /// A classifier with every buffer allocated.
    pub fn new() -> Self {
        ModelClassifier {
            front: SpectralClassifier::new(),
            features: FeatureExtractor::new(),
            feature_values: [0.0; NUM_FEATURES],
            model: SpeechModel::new(),
            tone: ToneGate::new(),
            probability: 0.0,
            speaking: false,
        }
    }

    /// The speech probability of the last frame (0 under the silence floor).
    pub fn probability(&self) -> f32 {
        self.probability
    }

    /// How the model and its decision rule were trained and chosen.
    pub const TRAINING: &'static str = weights::TRAINING;

    /// The spectral front end.
    pub fn front(&self) -> &SpectralClassifier {
        &self.front
    }

    /// The tracker settings chosen with the model (on the training data's validation
    /// split, by `tools/train_vad.py`).
    pub fn tracker_params() -> TrackerParams {
        TrackerParams {
            max_gap_frames: weights::MAX_GAP_FRAMES,
            min_speech_frames: weights::MIN_SPEECH_FRAMES,
            start_preroll_frames: weights::START_PREROLL_FRAMES,
            min_run_frames: weights::MIN_RUN_FRAMES,
            end_trim_frames: weights::END_TRIM_FRAMES,
        }
    }
}

impl ModelClassifier {
    /// The bleed gate: the far end is active, what is left of the frame once the far end's
    /// predicted leak is taken away is under the floor, and the leak explains more of it
    /// than what is left by the ratio.
    fn bleed_gate(&self) -> bool {
        let f = &self.feature_values;
        let far_db = feature_db(f[FAR_ACTIVITY]);
        let left_db = feature_db(f[MEAN_SNR]);
        let explained_db = feature_db(f[LEAK_EXPLAINED]);
        far_db > weights::GATE_FAR_ACTIVE_DB
            && left_db < weights::GATE_MIN_SNR_DB
            && explained_db > weights::GATE_EXPLAINED_RATIO * left_db
    }
}

impl FrameClassifier for ModelClassifier {
    fn classify(&mut self, frame: &[f32], reference: Option<&[f32]>) -> bool {
        self.classify_with_levels(frame, reference, None)
    }

    fn try_clone(&self) -> Option<Box<dyn FrameClassifier>> {
        Some(Box::new(self.clone()))
    }

    fn last_band_db(&self) -> Option<&[f32; NUM_BANDS]> {
        self.front.last_band_db()
    }

    fn classify_with_levels(
        &mut self,
        frame: &[f32],
        reference: Option<&[f32]>,
        reference_band_db: Option<&[f32; NUM_BANDS]>,
    ) -> bool {
        self.front
            .analyze_shared(frame, reference, reference_band_db);
        self.features.compute(&self.front, &mut self.feature_values);
        let mut p = self.model.step(&self.feature_values);
        let level_dbfs = 10.0 * self.front.frame_mean_square().max(1e-20).log10();
        let tone = self.tone.push(self.front.mic_power());
        if level_dbfs < SILENCE_FLOOR_DBFS || self.bleed_gate() || tone {
            p = 0.0;
        }
        self.probability = p;
        self.speaking = if self.speaking {
            p >= weights::OFF_PROBABILITY
        } else {
            p >= weights::ON_PROBABILITY
        };
        self.speaking
    }
}
