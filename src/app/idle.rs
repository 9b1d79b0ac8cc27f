//! Reactive rendering: the window redraws on input, animation or a file change only.

use bevy::prelude::*;
use bevy::winit::WinitSettings;

pub struct IdlePlugin;

impl Plugin for IdlePlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(WinitSettings::desktop_app());
    }
}
