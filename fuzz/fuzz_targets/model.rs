//! Any bytes as a folder's `_model.ron`: parsing and the range checks never panic.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = rapport::load::decode_text(data.to_vec(), "_model.ron") {
        let _ = rapport::model::Model::parse(&text, "_model.ron");
    }
});
