//! Any bytes as the settings file: reading, parsing and correcting never panic, and what
//! comes out is always usable (a text scale the interface offers).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = rapport::load::decode_text(data.to_vec(), "settings.ron") else {
        return;
    };
    if let Ok((settings, _)) = rapport::settings::parse(&text, "settings.ron") {
        assert!(rapport::settings::TEXT_SCALES.contains(&settings.text_scale));
        assert!(settings.scenario_folder.as_deref().is_none_or(|f| !f.trim().is_empty()));
    }
});
