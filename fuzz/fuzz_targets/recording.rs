//! Any bytes as a recorded playthrough: parsing, and replaying what parses against the
//! template scenario, never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::recording::{Recording, replay};
use std::sync::{Arc, OnceLock};

fn template() -> Arc<rapport::Scenario> {
    static T: OnceLock<Arc<rapport::Scenario>> = OnceLock::new();
    T.get_or_init(|| {
        let text = include_str!("../../scenarios/_template.ron");
        Arc::new(
            rapport::compile::load_scenario(text, "_template.ron", rapport::model::Model::builtin())
                .expect("the template is valid"),
        )
    })
    .clone()
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = rapport::load::decode_text(data.to_vec(), "rec.ron") else {
        return;
    };
    if let Ok(rec) = rapport::load::parse_ron::<Recording>(&text, "rec.ron") {
        if rec.choices.len() <= 1_000 {
            let _ = replay(template(), rec.seed, rec.personality, &rec.choices);
        }
    }
});
