//! Any bytes as a scenario file: decoding, parsing and validation never panic, and every
//! problem is located at a line and column of at least 1.
#![no_main]
use libfuzzer_sys::fuzz_target;
use rapport::model::Model;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = rapport::load::decode_text(data.to_vec(), "fuzz.ron") else {
        return;
    };
    if let Err(problems) = rapport::compile::load_scenario(&text, "fuzz.ron", Model::builtin()) {
        assert!(!problems.is_empty());
        for p in problems {
            assert!(p.location.line >= 1 && p.location.column >= 1);
        }
    }
});
