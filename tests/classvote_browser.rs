//! The class vote page in a real browser: Debian's headless Chromium, driven through
//! ChromeDriver (WebDriver), plays three students voting from their phones and one with a
//! wrong code; the presenter's tally must show exactly their votes. `.ci/run` installs
//! `chromium` and `chromium-driver`.

use rapport::classvote::server::Server;
use rapport::vocabulary::Locale;
use serde_json::{Value, json};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

struct Driver {
    base: String,
    child: Child,
    agent: ureq::Agent,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tools_or_skip() -> Option<(String, String)> {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    let driver = ["/usr/bin/chromedriver"]
        .into_iter()
        .find(|p| std::path::Path::new(p).exists());
    match (chromium, driver) {
        (Some(c), Some(d)) => Some((c.to_string(), d.to_string())),
        _ if std::env::var_os("CI").is_some() => {
            panic!("Chromium and ChromeDriver are not installed; .ci/run installs them")
        }
        _ => {
            eprintln!(
                "SKIPPED class vote browser test: Chromium is not installed \
                 (apt-get install chromium chromium-driver, or run .ci/run)"
            );
            None
        }
    }
}

impl Driver {
    fn start(driver: &str) -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("free port");
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let d = Driver {
            base: format!("http://127.0.0.1:{port}"),
            child,
            agent: ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if d.call("GET", "/status", None)["value"]["ready"] == true {
                return d;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!("chromedriver did not become ready");
    }

    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let url = format!("{}{path}", self.base);
        let answer = match (method, body) {
            ("GET", _) => self.agent.get(&url).call(),
            ("DELETE", _) => self.agent.delete(&url).call(),
            (_, body) => self
                .agent
                .post(&url)
                .header("Content-Type", "application/json")
                .send(body.unwrap_or(json!({})).to_string().as_bytes()),
        };
        match answer {
            Ok(mut r) => serde_json::from_str(&r.body_mut().read_to_string().unwrap_or_default())
                .unwrap_or(Value::Null),
            Err(_) => Value::Null,
        }
    }

    /// A new phone: its own browser profile (so its own device token), phone-sized.
    fn phone(&self, chromium: &str, profile: &std::path::Path) -> String {
        let answer = self.call(
            "POST",
            "/session",
            Some(json!({"capabilities": {"alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": {
                    "binary": chromium,
                    "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                             "--no-first-run", "--disable-background-networking",
                             "--disable-component-update", "--disable-sync",
                             "--window-size=390,844",
                             format!("--user-data-dir={}", profile.display())],
                }
            }}})),
        );
        answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("a browser session: {answer}"))
            .to_string()
    }

    fn go(&self, session: &str, url: &str) {
        self.call(
            "POST",
            &format!("/session/{session}/url"),
            Some(json!({"url": url})),
        );
    }

    fn find(&self, session: &str, css: &str) -> Option<String> {
        let v = self.call(
            "POST",
            &format!("/session/{session}/element"),
            Some(json!({"using": "css selector", "value": css})),
        );
        v["value"][ELEMENT].as_str().map(str::to_string)
    }

    fn text(&self, session: &str, css: &str) -> String {
        self.find(session, css)
            .map(|el| {
                self.call(
                    "GET",
                    &format!("/session/{session}/element/{el}/text"),
                    None,
                )["value"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string()
            })
            .unwrap_or_default()
    }

    fn click(&self, session: &str, css: &str) {
        let el = self
            .find(session, css)
            .unwrap_or_else(|| panic!("{css} on the page"));
        self.call(
            "POST",
            &format!("/session/{session}/element/{el}/click"),
            None,
        );
    }

    /// Waits until the text of `css` contains `wanted` (the page polls every 1.5 s).
    fn wait_for_text(&self, session: &str, css: &str, wanted: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let text = self.text(session, css);
            if text.contains(wanted) {
                return text;
            }
            assert!(
                Instant::now() < deadline,
                "{css} should come to say `{wanted}`; it says `{text}`"
            );
            std::thread::sleep(Duration::from_millis(150));
        }
    }

    fn screenshot(&self, session: &str) -> Vec<u8> {
        use base64::Engine;
        let v = self.call("GET", &format!("/session/{session}/screenshot"), None);
        base64::engine::general_purpose::STANDARD
            .decode(v["value"].as_str().unwrap_or_default())
            .unwrap_or_default()
    }

    fn quit(&self, session: &str) {
        self.call("DELETE", &format!("/session/{session}"), None);
    }
}

fn vote_as(d: &Driver, phone: &str, option: usize, letter: &str) {
    d.click(phone, &format!(".option[data-option=\"{option}\"]"));
    d.wait_for_text(phone, "#status", &format!("Your vote: {letter}."));
}

#[test]
fn students_vote_from_browsers_and_the_presenter_sees_their_tally() {
    let Some((chromium, chromedriver)) = tools_or_skip() else {
        return;
    };
    let profiles = std::env::temp_dir().join(format!("rapport-phones-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profiles);
    let server = Server::start(
        "127.0.0.1:0".parse().expect("address"),
        "3907".into(),
        Locale::En,
    )
    .expect("starts");
    server.with(|b| {
        b.open(
            "Dr Ma",
            "Your patch costs twice what we use now. Why should I switch?",
            vec![
                "Ask what matters most to him when he chooses a pain treatment.".into(),
                "Give the full price comparison per day of treatment at once.".into(),
                "Tell him many of his colleagues have already switched.".into(),
            ],
        )
    });
    let url = server.url();
    let d = Driver::start(&chromedriver);
    let phones: Vec<String> = (0..3)
        .map(|i| d.phone(&chromium, &profiles.join(format!("phone-{i}"))))
        .collect();
    for phone in &phones {
        d.go(phone, &url);
        d.wait_for_text(phone, "#line", "twice what we use");
    }
    vote_as(&d, &phones[0], 0, "1");
    vote_as(&d, &phones[1], 2, "3");
    vote_as(&d, &phones[2], 1, "2");
    // The third student changes their mind: the vote is replaced, not added.
    vote_as(&d, &phones[2], 2, "3");
    let tally = server.with(|b| b.tally());
    assert_eq!(tally.counts, [1, 0, 2]);
    assert_eq!(tally.devices, 3);

    // A phone with the wrong code sees why and learns nothing of the question.
    let stranger = d.phone(&chromium, &profiles.join("stranger"));
    d.go(&stranger, &url.replace("c=3907", "c=1111"));
    d.wait_for_text(&stranger, "#error", "not this class's code");
    assert!(!d.text(&stranger, "body").contains("twice what we use"));

    let shot = d.screenshot(&phones[1]);
    assert!(shot.starts_with(b"\x89PNG"), "a screenshot of a phone");
    let _ = std::fs::write(
        std::env::temp_dir().join("rapport-class-vote-phone.png"),
        shot,
    );

    // The presenter closes the vote: the phones say so and nothing more is counted.
    let split = server.with(|b| b.close()).expect("was open");
    assert_eq!(split.leaders(), [2]);
    d.wait_for_text(&phones[0], "#status", "The vote is closed");
    d.click(&phones[0], ".option[data-option=\"1\"]");
    assert_eq!(server.with(|b| b.splits().to_vec()), [split]);
    for phone in phones.iter().chain([&stranger]) {
        d.quit(phone);
    }
    server.stop();
    let _ = std::fs::remove_dir_all(&profiles);
}
