//! The class vote's web server on loopback: 200 students voting at once are each counted
//! exactly once; invalid, oversized, wrong-code and too-fast requests get a clear error and
//! change nothing; stopping the vote frees the port.

use rapport::classvote::server::Server;
use rapport::vocabulary::Locale;
use std::net::SocketAddr;
use std::time::Instant;

fn start() -> Server {
    let server = Server::start(
        "127.0.0.1:0".parse().expect("address"),
        "4821".into(),
        Locale::En,
    )
    .expect("starts");
    server.with(|b| {
        b.open(
            "Mr Li",
            "Your price is 8 % above the other supplier's.",
            vec!["A".into(), "B".into(), "C".into(), "D".into()],
        )
    });
    server
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}

fn post(agent: &ureq::Agent, server: &Server, path: &str, body: &str) -> (u16, serde_json::Value) {
    let mut r = agent
        .post(format!("http://{}{path}", server.address))
        .header("Content-Type", "application/json")
        .send(body.as_bytes())
        .expect("answered");
    let status = r.status().as_u16();
    let text = r.body_mut().read_to_string().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

fn join(agent: &ureq::Agent, server: &Server) -> String {
    let (status, body) = post(agent, server, "/api/join", r#"{"code":"4821"}"#);
    assert_eq!(status, 200, "{body}");
    body["device"].as_str().expect("a device token").to_string()
}

#[test]
fn two_hundred_students_voting_at_once_are_each_counted_exactly_once() {
    let server = start();
    let started = Instant::now();
    let students: Vec<_> = (0..200)
        .map(|i| {
            let address: SocketAddr = server.address;
            std::thread::spawn(move || {
                let agent = agent();
                let url = |p: &str| format!("http://{address}{p}");
                let mut r = agent
                    .post(url("/api/join"))
                    .send(r#"{"code":"4821"}"#.as_bytes())
                    .expect("join answered");
                assert_eq!(r.status(), 200);
                let body: serde_json::Value =
                    serde_json::from_str(&r.body_mut().read_to_string().expect("body"))
                        .expect("json");
                let device = body["device"].as_str().expect("token").to_string();
                // Everyone first votes for option 1, then a quarter change their mind.
                let vote = |option: usize| {
                    let body = format!(
                        r#"{{"code":"4821","device":"{device}","ballot":1,"option":{option}}}"#
                    );
                    let r = agent
                        .post(url("/api/vote"))
                        .send(body.as_bytes())
                        .expect("vote answered");
                    assert_eq!(r.status(), 200);
                };
                vote(0);
                if i % 4 == 0 {
                    vote(i % 3 + 1);
                }
            })
        })
        .collect();
    for s in students {
        s.join().expect("a student finished");
    }
    let elapsed = started.elapsed();
    let tally = server.with(|b| b.tally());
    // 50 changed their vote: i = 0, 4, 8, … → option i % 3 + 1.
    let mut expected = [150u32, 0, 0, 0];
    for i in (0..200).step_by(4) {
        expected[i % 3 + 1] += 1;
    }
    assert_eq!(tally.counts, expected);
    assert_eq!(tally.devices, 200);
    eprintln!("200 students joined and voted (250 votes) in {elapsed:?}");
    server.stop();
}

#[test]
fn bad_requests_get_a_clear_error_and_change_nothing() {
    let server = start();
    let agent = agent();
    let device = join(&agent, &server);
    let (status, _) = post(
        &agent,
        &server,
        "/api/vote",
        &format!(r#"{{"code":"4821","device":"{device}","ballot":1,"option":2}}"#),
    );
    assert_eq!(status, 200);
    let before = server.with(|b| b.tally());
    let huge = format!(
        r#"{{"code":"4821","device":"{device}","ballot":1,"option":1,"x":"{}"}}"#,
        "x".repeat(10_000)
    );
    let cases: Vec<(String, u16, &str)> = vec![
        ("{not json".into(), 400, "line 1 column 2"),
        (r#"{"code":"4821"}"#.into(), 400, "missing field `device`"),
        (
            format!(r#"{{"code":"4821","device":"{device}","ballot":1,"option":1,"extra":1}}"#),
            400,
            "unknown field `extra`",
        ),
        (
            format!(r#"{{"code":"4821","device":"{device}","ballot":1,"option":9}}"#),
            400,
            "only 4 options",
        ),
        (
            format!(r#"{{"code":"9999","device":"{device}","ballot":1,"option":1}}"#),
            403,
            "not this class's code",
        ),
        (
            r#"{"code":"4821","device":"00000000000000ff","ballot":1,"option":1}"#.into(),
            401,
            "not joined",
        ),
        (
            format!(r#"{{"code":"4821","device":"{device}","ballot":7,"option":1}}"#),
            409,
            "closed",
        ),
        (huge, 413, "too large"),
        (
            format!(
                r#"{{"code":"{}","device":"{device}","ballot":1,"option":1}}"#,
                "4".repeat(50)
            ),
            400,
            "longer than 8",
        ),
    ];
    for (body, status, says) in cases {
        let (got, answer) = post(&agent, &server, "/api/vote", &body);
        let error = answer["error"].as_str().unwrap_or_default();
        assert_eq!(got, status, "{body:.80}: {answer}");
        assert!(
            error.contains(says),
            "{body:.80}: `{error}` should say `{says}`"
        );
    }
    assert_eq!(server.with(|b| b.tally()), before, "nothing changed");
    let mut r = agent
        .get(format!("http://{}/api/ballot?code=1234", server.address))
        .call()
        .expect("answered");
    assert_eq!(r.status(), 403, "the page needs the session code");
    let body = r.body_mut().read_to_string().unwrap_or_default();
    assert!(
        !body.contains("8 % above"),
        "nothing of the ballot without the code"
    );
    server.stop();
}

#[test]
fn a_device_that_votes_too_fast_is_slowed_down_without_losing_its_vote() {
    let server = start();
    let agent = agent();
    let device = join(&agent, &server);
    let vote = |option: usize| {
        post(
            &agent,
            &server,
            "/api/vote",
            &format!(r#"{{"code":"4821","device":"{device}","ballot":1,"option":{option}}}"#),
        )
    };
    let statuses: Vec<u16> = (0..8).map(|i| vote(i % 4).0).collect();
    assert_eq!(&statuses[..5], [200; 5]);
    assert!(statuses[5..].contains(&429), "{statuses:?}");
    assert_eq!(
        server.with(|b| b.tally()).counts,
        [1, 0, 0, 0],
        "the fifth vote (option 1) stands"
    );
    server.stop();
}

#[test]
fn closing_the_vote_stops_the_server_and_frees_the_port() {
    let server = start();
    let address = server.address;
    assert!(std::net::TcpStream::connect(address).is_ok());
    server.stop();
    assert!(
        std::net::TcpStream::connect(address).is_err(),
        "nothing listens after the vote is closed"
    );
}

#[test]
fn the_page_is_served_with_its_script_and_safe_headers() {
    let server = start();
    let agent = agent();
    let mut r = agent
        .get(format!("http://{}/?c=4821", server.address))
        .call()
        .expect("answered");
    assert_eq!(r.status(), 200);
    assert_eq!(
        r.headers()
            .get("x-content-type-options")
            .and_then(|v| v.to_str().ok()),
        Some("nosniff")
    );
    let page = r.body_mut().read_to_string().expect("page");
    assert!(page.contains("/vote.js"));
    let r = agent
        .get(format!("http://{}/vote.js", server.address))
        .call()
        .expect("answered");
    assert_eq!(r.status(), 200);
    server.stop();
}
