//! What the proxy refuses to start with, and what a first sandbox run sets up.

use openmoney_proxy::cli::{Cli, Command};

fn parse(args: &[&str]) -> Cli {
    <Cli as clap::Parser>::try_parse_from(args).expect("parses")
}

fn parse_err(args: &[&str]) -> String {
    <Cli as clap::Parser>::try_parse_from(args).expect_err("refused").to_string()
}

fn serve_config(args: &[&str]) -> Result<openmoney_proxy::Config, String> {
    let cli = parse(args);
    match &cli.command {
        Command::Serve(options) => cli.serve_config(options),
        Command::User(_) => unreachable!(),
    }
}

#[test]
fn a_real_upstream_needs_an_osk_key() {
    let dir = tempfile::tempdir().unwrap();
    let base = ["openmoney-proxy", "serve", "--upstream", "https://api.theopenmoney.info/api/v1"];
    let missing = serve_config(&base).unwrap_err();
    assert!(missing.contains("--api-key-file"), "{missing}");
    let wrong = dir.path().join("key");
    std::fs::write(&wrong, "sk_live_123456789").unwrap();
    let mut args = base.to_vec();
    let path = wrong.to_str().unwrap();
    args.extend(["--api-key-file", path]);
    assert!(serve_config(&args).unwrap_err().contains("not a partner API key"));
    std::fs::write(&wrong, "osk_live_1234567890\n").unwrap();
    assert!(serve_config(&args).is_ok());
}

#[test]
fn a_config_file_fills_what_the_command_line_leaves_out() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("proxy.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:9999\"\nupstream_rps = 7\nstatic_dir = \"/srv/console\"\n").unwrap();
    let config =
        serve_config(&["openmoney-proxy", "--config", file.to_str().unwrap(), "serve", "--upstream-rps", "9"]).unwrap();
    assert_eq!(config.listen.port(), 9999);
    assert_eq!(config.budgets.upstream_rps, 9, "the command line wins");
    assert_eq!(config.static_dir, std::path::PathBuf::from("/srv/console"));
    std::fs::write(&file, "lisen = \"typo\"\n").unwrap();
    assert!(serve_config(&["openmoney-proxy", "--config", file.to_str().unwrap(), "serve"]).is_err());
}

#[test]
fn the_store_can_be_named_in_the_config_file_and_user_commands_use_it_too() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("proxy.toml");
    let data = dir.path().join("state");
    std::fs::write(&file, format!("data_dir = {:?}\n", data.to_str().unwrap())).unwrap();
    let config = file.to_str().unwrap();
    let served = serve_config(&["openmoney-proxy", "--config", config, "serve"]).unwrap();
    assert!(served.database_url.contains(data.to_str().unwrap()), "{}", served.database_url);
    let user = parse(&["openmoney-proxy", "--config", config, "user", "list"]);
    assert_eq!(user.database_url().unwrap(), served.database_url, "`user` reads the store `serve` uses");
    let flag = parse(&["openmoney-proxy", "--config", config, "--data-dir", "/elsewhere", "user", "list"]);
    assert!(flag.database_url().unwrap().contains("/elsewhere"), "the command line wins");
    std::fs::write(&file, "database_url = \"postgres://console@db.internal/console\"\n").unwrap();
    let shared = serve_config(&["openmoney-proxy", "--config", config, "serve"]).unwrap();
    assert_eq!(shared.database_url, "postgres://console@db.internal/console");
}

#[test]
fn hsts_is_a_switch_that_also_takes_a_value() {
    let on = serve_config(&["openmoney-proxy", "serve", "--hsts", "--upstream-rps", "5"]).unwrap();
    assert!(on.hsts);
    assert_eq!(on.budgets.upstream_rps, 5, "the next flag is read as a flag");
    assert!(!serve_config(&["openmoney-proxy", "serve", "--hsts", "false"]).unwrap().hsts);
    assert!(!serve_config(&["openmoney-proxy", "serve"]).unwrap().hsts);
}

#[test]
fn tls_turns_hsts_on_unless_told_otherwise_and_the_redirect_needs_tls() {
    let tls = ["openmoney-proxy", "serve", "--tls-cert", "/etc/console/cert.pem", "--tls-key", "/etc/console/key.pem"];
    let served = serve_config(&tls).unwrap();
    assert!(served.hsts, "HSTS is on by default with TLS");
    assert_eq!(served.tls.unwrap().key, std::path::PathBuf::from("/etc/console/key.pem"));
    assert!(!serve_config(&[&tls[..], &["--hsts", "false"]].concat()).unwrap().hsts);
    let redirect = serve_config(&[&tls[..], &["--http-redirect-listen", "0.0.0.0:80"]].concat()).unwrap();
    assert_eq!(redirect.http_redirect_listen, Some("0.0.0.0:80".parse().unwrap()));
    let without = serve_config(&["openmoney-proxy", "serve", "--http-redirect-listen", "0.0.0.0:80"]).unwrap_err();
    assert!(without.contains("needs --tls-cert"), "{without}");
    assert!(parse_err(&["openmoney-proxy", "serve", "--tls-cert", "/etc/console/cert.pem"]).contains("--tls-key"));
}

#[test]
fn plain_http_beyond_loopback_warns_that_sign_in_needs_https_in_front() {
    let open = serve_config(&["openmoney-proxy", "serve", "--listen", "0.0.0.0:8080"]).unwrap();
    let warning = open.plain_http_warning().expect("a warning");
    assert!(warning.contains("sign-in will not work") && warning.contains("--public-origin https://"), "{warning}");
    let fronted = ["openmoney-proxy", "serve", "--listen", "0.0.0.0:8080", "--public-origin", "https://c.example.com"];
    assert_eq!(serve_config(&fronted).unwrap().plain_http_warning(), None);
    assert_eq!(serve_config(&["openmoney-proxy", "serve"]).unwrap().plain_http_warning(), None, "loopback");
}

#[tokio::test]
async fn a_real_upstream_with_no_staff_refuses_to_start_and_says_how_to_add_one() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = openmoney_proxy::Config::local(dir.path().to_path_buf());
    config.upstream = openmoney_proxy::UpstreamConfig::Url("http://127.0.0.1:9/api/v1".parse().unwrap());
    config.api_key = Some("osk_live_1234567890".to_owned().into());
    let message = openmoney_proxy::start(config).await.err().expect("refuses");
    assert!(message.contains("openmoney-proxy user add"), "{message}");
}

#[tokio::test]
async fn a_first_sandbox_run_creates_an_admin_once() {
    let dir = tempfile::tempdir().unwrap();
    let config = openmoney_proxy::Config::local(dir.path().to_path_buf());
    let first = openmoney_proxy::start(config.clone()).await.unwrap();
    let password = first.first_admin_password.clone().expect("a password is printed once");
    assert!(password.len() >= 16);
    assert!(first.sandbox.is_some());
    let again = openmoney_proxy::start(config).await.unwrap();
    assert!(again.first_admin_password.is_none());
}
