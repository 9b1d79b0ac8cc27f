//! Reactive rendering: the window redraws on input, animation or a file change only.
//!
//! bevy_egui 0.42 pushes an `egui::Event::ModifiersChanged` into every pass, changed or not.
//! egui treats any input event as a reason to repaint at once, so each pass asks for the next
//! and the app renders continuously (about 90 % of a core measured here). Dropping the
//! modifier events that change nothing lets the reactive update mode sleep again.

use bevy::prelude::*;
use bevy::winit::{EventLoopProxyWrapper, WinitSettings, WinitUserEvent};
use bevy_egui::{EguiInput, EguiInputSet, EguiPreUpdateSet, egui};
use notify::Watcher;
use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

pub struct IdlePlugin;

impl Plugin for IdlePlugin {
    fn build(&self, app: &mut App) {
        app.insert_resource(WinitSettings::desktop_app())
            .add_systems(Startup, wake_on_scenario_changes)
            .add_systems(
                PreUpdate,
                drop_unchanged_modifier_events
                    .after(EguiInputSet::WriteEguiEvents)
                    .before(EguiPreUpdateSet::BeginPass),
            );
    }
}

fn drop_unchanged_modifier_events(
    mut inputs: Query<(Entity, &mut EguiInput)>,
    mut last: Local<HashMap<Entity, egui::Modifiers>>,
) {
    for (entity, mut input) in &mut inputs {
        let previous = last.entry(entity).or_default();
        input.0.events.retain(|event| match event {
            egui::Event::ModifiersChanged(m) if m == previous => false,
            egui::Event::ModifiersChanged(m) => {
                *previous = *m;
                true
            }
            _ => true,
        });
    }
}

/// The folder whose files the app watches; set by `app::run`.
#[derive(Resource, Debug, Clone)]
pub struct WatchedFolder(pub PathBuf);

/// Keeps the watcher alive for the app's lifetime.
#[derive(Resource)]
struct FolderWatcher(#[allow(dead_code)] notify::RecommendedWatcher);

/// A sleeping app does not see Bevy's own file watcher (its events are read during an
/// update), so a trainer who saves a scenario in another window would wait up to a minute.
/// This watcher wakes the loop when a file changes, and again while Bevy's debounce (300 ms)
/// and the reload task run, so the change shows within about a second.
fn wake_on_scenario_changes(
    mut commands: Commands,
    folder: Option<Res<WatchedFolder>>,
    proxy: Option<Res<EventLoopProxyWrapper>>,
) {
    let (Some(folder), Some(proxy)) = (folder, proxy) else {
        return;
    };
    let proxy = (**proxy).clone();
    let watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        if event.is_err() {
            return;
        }
        let proxy = proxy.clone();
        std::thread::spawn(move || {
            for delay in [0, 400, 400, 500, 1200] {
                std::thread::sleep(Duration::from_millis(delay));
                let _ = proxy.send_event(WinitUserEvent::WakeUp);
            }
        });
    });
    match watcher {
        Ok(mut watcher) => match watcher.watch(&folder.0, notify::RecursiveMode::NonRecursive) {
            Ok(()) => {
                commands.insert_resource(FolderWatcher(watcher));
            }
            Err(e) => warn!("cannot watch {}: {e}", folder.0.display()),
        },
        Err(e) => warn!("cannot watch {}: {e}", folder.0.display()),
    }
}
