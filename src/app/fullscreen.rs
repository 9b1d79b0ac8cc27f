//! Full screen for the projector: F11 toggles it on every screen, and `rapport open
//! --fullscreen` starts in it.

use bevy::prelude::*;
use bevy::window::{MonitorSelection, PrimaryWindow, WindowMode};

pub struct FullscreenPlugin;

impl Plugin for FullscreenPlugin {
    fn build(&self, app: &mut App) {
        app.add_systems(Update, toggle_fullscreen);
    }
}

/// The window mode that fills the screen the window is on, without changing its video mode
/// (a projector keeps its resolution).
pub fn full_screen() -> WindowMode {
    WindowMode::BorderlessFullscreen(MonitorSelection::Current)
}

fn toggle_fullscreen(
    keys: Res<ButtonInput<KeyCode>>,
    mut windows: Query<&mut Window, With<PrimaryWindow>>,
) {
    if !keys.just_pressed(KeyCode::F11) {
        return;
    }
    for mut window in &mut windows {
        window.mode = match window.mode {
            WindowMode::Windowed => full_screen(),
            _ => WindowMode::Windowed,
        };
    }
}
