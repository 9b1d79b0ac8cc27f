//! Scenarios as Bevy assets: the loader (which calls the core's one parser), the folder load,
//! hot reload, and the `Library` of last good versions and current problems.

use crate::catalog::MODEL_FILE;
use crate::compile::{Scenario, load_scenario};
use crate::model::Model;
use bevy::asset::io::Reader;
use bevy::asset::{AssetLoader, LoadContext, LoadedFolder};
use bevy::prelude::*;
use std::collections::BTreeMap;
use std::sync::Arc;

/// The asset source scenarios are loaded from: `scenarios://file.ron`.
pub const SCENARIO_SOURCE: &str = "scenarios";

/// A loaded scenario file. A file with problems still loads, carrying its problems instead of
/// a scenario: Bevy fails a whole folder load when one file fails, and one trainer's typo must
/// not empty the library. Files whose names start with `_` (the model, the template) are not
/// listed.
#[derive(Asset, TypePath, Debug, Clone)]
pub struct ScenarioAsset {
    pub scenario: Option<Arc<Scenario>>,
    pub problems: Vec<String>,
    pub listed: bool,
}

/// Every problem in a file, in the core's `file:line:column: message` form.
#[derive(Debug, thiserror::Error)]
#[error("{}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("\n"))]
pub struct ScenarioLoadError(pub Vec<crate::load::Problem>);

#[derive(Default, TypePath)]
pub struct ScenarioLoader {
    /// The last model parsed per model file: every scenario in a folder shares one model,
    /// instead of each load holding its own copy.
    models: std::sync::Mutex<Vec<ParsedModel>>,
    /// The scenario folder on disk, to check what a file is before reading it.
    root: Option<std::path::PathBuf>,
}

/// The scenario folder on disk, as registered with the asset server.
#[derive(Resource, Debug, Clone)]
pub struct ScenarioFolder(pub std::path::PathBuf);

impl ScenarioLoader {
    /// Refuses, before reading, what is not a regular file or is larger than a scenario file
    /// may be — a device or a pipe named `.ron` would otherwise be read forever.
    fn check_before_reading(&self, path: &std::path::Path) -> Result<(), String> {
        let Some(root) = &self.root else {
            return Ok(());
        };
        let meta = std::fs::metadata(root.join(path)).map_err(|e| format!("cannot read: {e}"))?;
        if !meta.is_file() {
            return Err(
                "this is not a regular file (a folder, a device or a pipe); give a .ron file"
                    .into(),
            );
        }
        if meta.len() > crate::load::MAX_FILE_BYTES as u64 {
            return Err(format!(
                "the file is {} bytes; files may be at most {} bytes",
                meta.len(),
                crate::load::MAX_FILE_BYTES
            ));
        }
        Ok(())
    }
}

/// A model file's text and the model parsed from it.
struct ParsedModel {
    path: std::path::PathBuf,
    text: Vec<u8>,
    model: Arc<Model>,
}

impl ScenarioLoader {
    fn model(
        &self,
        path: &std::path::Path,
        bytes: Vec<u8>,
    ) -> Result<Arc<Model>, Vec<crate::load::Problem>> {
        let mut models = self
            .models
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(parsed) = models.iter().find(|m| m.path == path && m.text == bytes) {
            return Ok(parsed.model.clone());
        }
        let source = format!("scenarios/{}", path.display());
        let text = crate::load::decode_text(bytes.clone(), &source).map_err(|p| vec![p])?;
        let model = Arc::new(Model::parse(&text, &source)?);
        models.retain(|m| m.path != path);
        models.push(ParsedModel {
            path: path.to_path_buf(),
            text: bytes,
            model: model.clone(),
        });
        Ok(model)
    }
}

/// Reads at most one byte more than a scenario file may have, so that an endless or huge
/// file is refused by `decode_text` instead of filling memory.
async fn read_bounded(reader: &mut dyn Reader) -> std::io::Result<Vec<u8>> {
    use bevy::asset::AsyncReadExt;
    let mut bytes = Vec::new();
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut chunk).await?;
        if n == 0 {
            return Ok(bytes);
        }
        bytes.extend_from_slice(&chunk[..n]);
        if bytes.len() > crate::load::MAX_FILE_BYTES {
            return Ok(bytes);
        }
    }
}

impl AssetLoader for ScenarioLoader {
    type Asset = ScenarioAsset;
    type Settings = ();
    type Error = ScenarioLoadError;

    async fn load(
        &self,
        reader: &mut dyn Reader,
        _settings: &(),
        load_context: &mut LoadContext<'_>,
    ) -> Result<ScenarioAsset, ScenarioLoadError> {
        let path = load_context.path().clone();
        let name = path
            .path()
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("")
            .to_string();
        let source = format!("scenarios/{}", path.path().display());
        let fail = |message: String| {
            ScenarioLoadError(vec![crate::load::Problem {
                source: source.clone(),
                location: crate::load::Location { line: 1, column: 1 },
                message,
            }])
        };
        // Accounts and their visits are loaded as accounts (`app::accounts`), not listed as
        // scenarios of their own.
        let in_accounts = path
            .path()
            .components()
            .next()
            .is_some_and(|c| c.as_os_str() == crate::catalog::ACCOUNTS_FOLDER);
        if name.starts_with('_') || in_accounts || crate::catalog::is_account_file(path.path()) {
            return Ok(ScenarioAsset {
                scenario: None,
                problems: Vec::new(),
                listed: false,
            });
        }
        if let Err(why) = self.check_before_reading(path.path()) {
            return Ok(ScenarioAsset {
                scenario: None,
                problems: vec![fail(why).0[0].to_string()],
                listed: true,
            });
        }
        let bytes = read_bounded(reader)
            .await
            .map_err(|e| fail(format!("cannot read: {e}")))?;
        let text = match crate::load::decode_text(bytes, &source) {
            Ok(text) => text,
            Err(problem) => {
                return Ok(ScenarioAsset {
                    scenario: None,
                    problems: vec![problem.to_string()],
                    listed: true,
                });
            }
        };
        // A folder's own model applies to its scenarios; reading it through the load context
        // makes an edit to the model reload them too.
        let model_path = path.path().with_file_name(MODEL_FILE);
        let model_asset = bevy::asset::AssetPath::from_path(&model_path)
            .into_owned()
            .with_source(SCENARIO_SOURCE);
        let model_source = format!("scenarios/{}", model_path.display());
        let model = match self.check_before_reading(&model_path) {
            // No model file in the folder: the built-in one applies.
            Err(_)
                if self
                    .root
                    .as_ref()
                    .is_some_and(|r| !r.join(&model_path).exists()) =>
            {
                Ok(Model::builtin())
            }
            Err(why) => Err(vec![crate::load::Problem {
                source: model_source,
                location: crate::load::Location { line: 1, column: 1 },
                message: why,
            }]),
            Ok(()) => match load_context.read_asset_bytes(model_asset).await {
                Ok(model_bytes) => self.model(&model_path, model_bytes),
                Err(_) => Ok(Model::builtin()),
            },
        };
        Ok(
            match model.and_then(|model| load_scenario(&text, &source, model)) {
                Ok(scenario) => ScenarioAsset {
                    scenario: Some(Arc::new(scenario)),
                    problems: Vec::new(),
                    listed: true,
                },
                Err(problems) => ScenarioAsset {
                    scenario: None,
                    problems: problems.iter().map(|p| p.to_string()).collect(),
                    listed: true,
                },
            },
        )
    }

    fn extensions(&self) -> &[&str] {
        &["ron"]
    }
}

/// One scenario file as the app knows it.
#[derive(Debug, Clone)]
pub struct LibraryEntry {
    /// The asset path inside the scenario folder, e.g. `analytical-price.en.ron`.
    pub path: String,
    /// The last version that loaded without problems.
    pub scenario: Option<Arc<Scenario>>,
    /// Problems of the current version on disk (empty when it is the good one).
    pub problems: Vec<String>,
    /// Differences from its translation, as `rapport validate` reports them.
    pub pair_problems: Vec<String>,
    /// Bumped each time a new good version arrives.
    pub revision: u32,
}

#[derive(Resource, Default)]
pub struct Library {
    pub entries: BTreeMap<String, LibraryEntry>,
    pub folder: Handle<LoadedFolder>,
    handles: Vec<Handle<ScenarioAsset>>,
}

impl Library {
    pub fn scenarios(&self) -> impl Iterator<Item = (&String, &Arc<Scenario>)> {
        self.entries
            .iter()
            .filter_map(|(k, e)| e.scenario.as_ref().map(|s| (k, s)))
    }

    pub fn get(&self, path: &str) -> Option<&LibraryEntry> {
        self.entries.get(path)
    }
}

/// A scenario with a new good version; a running session on it offers to restart.
#[derive(Message, Debug, Clone)]
pub struct ScenarioUpdated {
    pub path: String,
}

pub struct LibraryPlugin;

impl Plugin for LibraryPlugin {
    fn build(&self, app: &mut App) {
        let root = app
            .world()
            .get_resource::<ScenarioFolder>()
            .map(|f| f.0.clone());
        app.init_asset::<ScenarioAsset>()
            .register_asset_loader(ScenarioLoader {
                root,
                ..Default::default()
            })
            .init_resource::<Library>()
            .add_message::<ScenarioUpdated>()
            .add_systems(Startup, load_scenario_folder)
            .add_systems(
                Update,
                (track_folder, apply_loaded, record_failures).chain(),
            );
    }
}

fn load_scenario_folder(server: Res<AssetServer>, mut library: ResMut<Library>) {
    library.folder =
        server.load_folder(bevy::asset::AssetPath::from("").with_source(SCENARIO_SOURCE));
}

fn entry_path(server: &AssetServer, id: impl Into<bevy::asset::UntypedAssetId>) -> Option<String> {
    server
        .get_path(id)
        .map(|p| p.path().to_string_lossy().replace('\\', "/"))
}

/// Picks up the files of the folder, including files added while the app runs.
fn track_folder(
    mut events: MessageReader<AssetEvent<LoadedFolder>>,
    folders: Res<Assets<LoadedFolder>>,
    server: Res<AssetServer>,
    mut library: ResMut<Library>,
) {
    let mut changed = false;
    for event in events.read() {
        if let AssetEvent::LoadedWithDependencies { id } | AssetEvent::Modified { id } = event
            && *id == library.folder.id()
        {
            changed = true;
        }
    }
    if !changed {
        return;
    }
    let Some(folder) = folders.get(&library.folder) else {
        return;
    };
    let handles: Vec<Handle<ScenarioAsset>> = folder
        .handles
        .iter()
        .filter_map(|h| h.clone().try_typed::<ScenarioAsset>().ok())
        .collect();
    // A file deleted from the folder leaves the library.
    let present: std::collections::BTreeSet<String> = handles
        .iter()
        .filter_map(|h| entry_path(&server, h.id()))
        .collect();
    library.entries.retain(|path, _| present.contains(path));
    library.handles = handles;
    check_pairs(&mut library);
    return_freed_memory();
}

/// Hands memory freed after a burst of loading back to the system. Files are parsed on
/// Bevy's IO threads, and glibc keeps what those threads free in per-thread arenas, where it
/// stays resident until the process ends.
pub fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only gives free pages back to the kernel; it has no preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}

fn apply_loaded(
    mut events: MessageReader<AssetEvent<ScenarioAsset>>,
    assets: Res<Assets<ScenarioAsset>>,
    server: Res<AssetServer>,
    mut library: ResMut<Library>,
    mut updated: MessageWriter<ScenarioUpdated>,
) {
    let mut reloaded = false;
    for event in events.read() {
        let (AssetEvent::Added { id } | AssetEvent::Modified { id }) = event else {
            continue;
        };
        reloaded |= matches!(event, AssetEvent::Modified { .. });
        let Some(asset) = assets.get(*id) else {
            continue;
        };
        if !asset.listed {
            continue;
        }
        let Some(path) = entry_path(&server, *id) else {
            continue;
        };
        let entry = library
            .entries
            .entry(path.clone())
            .or_insert_with(|| LibraryEntry {
                path: path.clone(),
                scenario: None,
                problems: Vec::new(),
                pair_problems: Vec::new(),
                revision: 0,
            });
        entry.problems = asset.problems.clone();
        // A broken edit keeps the last good version in play.
        if let Some(scenario) = &asset.scenario {
            let was_loaded = entry.scenario.is_some();
            entry.scenario = Some(scenario.clone());
            entry.revision += 1;
            if was_loaded {
                updated.write(ScenarioUpdated { path });
            }
        }
    }
    if reloaded {
        return_freed_memory();
    }
    check_pairs(&mut library);
}

/// Translation pairs, checked as the CLI checks them: a file whose partner differs in what
/// scores lists the differences among its problems.
fn check_pairs(library: &mut Library) {
    let by_path: BTreeMap<std::path::PathBuf, Arc<Scenario>> = library
        .entries
        .iter()
        .filter_map(|(k, e)| {
            e.scenario
                .clone()
                .map(|s| (crate::catalog::normalise(std::path::Path::new(k)), s))
        })
        .collect();
    // Each pair once, on the file that sorts first, as `rapport validate` reports it.
    let mut checked = std::collections::BTreeSet::new();
    for (key, entry) in library.entries.iter_mut() {
        entry.pair_problems.clear();
        let Some(scn) = &entry.scenario else {
            continue;
        };
        let Some(rel) = &scn.file.translation else {
            continue;
        };
        let path = std::path::Path::new(key);
        let partner_path = path.parent().unwrap_or(std::path::Path::new("")).join(rel);
        let (this, other) = (
            crate::catalog::normalise(path),
            crate::catalog::normalise(&partner_path),
        );
        let pair = if this < other {
            (this, other)
        } else {
            (other, this)
        };
        if !checked.insert(pair) {
            continue;
        }
        match by_path.get(&crate::catalog::normalise(&partner_path)) {
            Some(partner) => {
                entry.pair_problems =
                    crate::catalog::translation_problems(path, scn, &partner_path, partner)
                        .iter()
                        .map(|p| p.to_string())
                        .collect();
            }
            None => entry.pair_problems.push(format!(
                "scenarios/{key}: translation `{rel}` does not exist"
            )),
        }
    }
}

/// Failures below the parser (an unreadable file) still arrive as load failures.
fn record_failures(
    mut failures: MessageReader<bevy::asset::AssetLoadFailedEvent<ScenarioAsset>>,
    mut library: ResMut<Library>,
) {
    for failure in failures.read() {
        let path = failure.path.path().to_string_lossy().replace('\\', "/");
        let text = failure_text(&failure.error);
        let entry = library
            .entries
            .entry(path.clone())
            .or_insert_with(|| LibraryEntry {
                path,
                scenario: None,
                problems: Vec::new(),
                pair_problems: Vec::new(),
                revision: 0,
            });
        // The same failure can be reported twice; keep the list as the file's problems.
        entry.problems = text.lines().map(str::to_string).collect();
    }
}

fn failure_text(error: &bevy::asset::AssetLoadError) -> String {
    match error {
        bevy::asset::AssetLoadError::AssetLoaderError(e) => {
            let text = e.to_string();
            // Bevy prefixes the loader's message with its own words; keep the core's lines.
            match text.find("scenarios/") {
                Some(i) => text[i..].to_string(),
                None => text,
            }
        }
        other => other.to_string(),
    }
}
