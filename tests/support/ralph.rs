//! A real learning record store for the tests: openfun's Ralph (`ralph-malph` from PyPI,
//! installed by `.ci/run`) with its file-system backend, on loopback, started, stopped and
//! started again by the test itself.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const USER: &str = "trainer";
pub const PASSWORD: &str = "ralph-test-secret-71";

/// Where Ralph is: `RAPPORT_RALPH`, else the virtual environment `.ci/run` makes, else PATH.
/// `None` means it is not installed; under CI that fails the test instead of skipping it.
pub fn binary() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("RAPPORT_RALPH").map(PathBuf::from),
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/rapport-ralph/bin/ralph")),
    ];
    if let Some(found) = candidates.into_iter().flatten().find(|p| p.exists()) {
        return Some(found);
    }
    let on_path = Command::new("ralph")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    on_path.then(|| PathBuf::from("ralph"))
}

/// Ralph, or the reason the test cannot run: missing tools fail under CI (where `.ci/run`
/// installs them) and skip, loudly, elsewhere.
pub fn binary_or_skip(test: &str) -> Option<PathBuf> {
    match binary() {
        Some(b) => Some(b),
        None if std::env::var_os("CI").is_some() => {
            panic!("{test}: Ralph (ralph-malph) is not installed; .ci/run installs it")
        }
        None => {
            eprintln!(
                "SKIPPED {test}: Ralph is not installed (run .ci/run, or \
                 python3 -m venv ~/.cache/rapport-ralph && ~/.cache/rapport-ralph/bin/pip install \
                 'ralph-malph[cli,lrs]==5.1.0' requests)"
            );
            None
        }
    }
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

pub struct Ralph {
    binary: PathBuf,
    dir: PathBuf,
    pub port: u16,
    child: Option<Child>,
}

impl Ralph {
    /// Starts a store keeping its statements in `dir`, with one user (`USER`, `PASSWORD`).
    pub fn start(binary: &Path, dir: &Path) -> Ralph {
        std::fs::create_dir_all(dir).expect("ralph folder");
        let auth = dir.join("auth.json");
        if !auth.exists() {
            let out = Self::command(binary, dir)
                .args(["auth", "-u", USER, "-p", PASSWORD, "-s", "all"])
                .args(["-M", "mailto:trainer@example.org", "-w"])
                .output()
                .expect("ralph auth runs");
            assert!(
                out.status.success() && auth.exists(),
                "ralph auth: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let mut ralph = Ralph {
            binary: binary.to_path_buf(),
            dir: dir.to_path_buf(),
            port: free_port(),
            child: None,
        };
        ralph.restart();
        ralph
    }

    fn command(binary: &Path, dir: &Path) -> Command {
        let mut c = Command::new(binary);
        c.env("RALPH_APP_DIR", dir.join("app"))
            .env("RALPH_AUTH_FILE", dir.join("auth.json"))
            .env("RALPH_RUNSERVER_BACKEND", "fs")
            .env("RALPH_RUNSERVER_HOST", "127.0.0.1");
        c
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}/xAPI/", self.port)
    }

    /// Starts it again on the same port and data after `stop`.
    pub fn restart(&mut self) {
        assert!(self.child.is_none(), "already running");
        let log = std::fs::File::create(self.dir.join("server.log")).expect("log file");
        // Ralph's own Python, from the same virtual environment as the `ralph` command.
        let python = self
            .binary
            .parent()
            .map(|bin| bin.join("python"))
            .filter(|p| p.exists())
            .unwrap_or_else(|| PathBuf::from("python3"));
        let launcher = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/support/ralph_server.py");
        let child = Self::command(&python, &self.dir)
            .arg(launcher)
            .args(["127.0.0.1", &self.port.to_string()])
            .arg(self.dir.join("data"))
            .stdout(Stdio::null())
            .stderr(log)
            // Its own process group, so that stopping it stops everything it started.
            .process_group(0)
            .spawn()
            .expect("ralph runserver starts");
        self.child = Some(child);
        let deadline = Instant::now() + Duration::from_secs(90);
        let url = format!("http://127.0.0.1:{}/__heartbeat__", self.port);
        while Instant::now() < deadline {
            if ureq::get(&url).call().is_ok_and(|r| r.status() == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let log = std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default();
        panic!("Ralph did not answer on {url} within 90 s:\n{log}");
    }

    /// Stops it as a crash would (the whole process group at once).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            // SAFETY: kill(2) on the process group this test started; no memory is touched.
            unsafe {
                libc::kill(-(child.id() as i32), libc::SIGKILL);
            }
            let _ = child.wait();
        }
        let url = format!("http://127.0.0.1:{}/__heartbeat__", self.port);
        let deadline = Instant::now() + Duration::from_secs(10);
        while ureq::get(&url).call().is_ok() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Every statement the store holds, as a trainer would read them.
    pub fn statements(&self) -> Vec<serde_json::Value> {
        let lrs = rapport::settings::LrsSettings {
            endpoint: self.endpoint(),
            username: USER.into(),
            password: PASSWORD.into(),
            ..Default::default()
        };
        rapport::lrs::fetch_statements(&lrs, None).expect("statements read back")
    }
}

impl Drop for Ralph {
    fn drop(&mut self) {
        self.stop();
    }
}
