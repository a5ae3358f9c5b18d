//! `openmoney-sandbox`: the simulated upstream on a socket.

use std::net::SocketAddr;

use clap::Parser;
use openmoney_api::sandbox::{FaultKind, FaultRule, FaultSet};
use openmoney_sandbox::config::RateLimitConfig;
use openmoney_sandbox::{PartnerConfig, Sandbox, SandboxConfig, DEMO_KEY};

#[derive(Parser, Debug)]
#[command(version, about = "A faithful simulator of TheOpenMoney partner API")]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "SANDBOX_LISTEN", default_value = "127.0.0.1:8081")]
    listen: SocketAddr,
    /// A partner API key (osk_…); repeat for more partners. Without one, a demo key is used.
    #[arg(long = "key", env = "SANDBOX_KEYS", value_delimiter = ',')]
    keys: Vec<String>,
    /// Seed the first partner with a few days of history.
    #[arg(long)]
    demo: bool,
    /// Requests per second per key (0 turns the limit off).
    #[arg(long, env = "SANDBOX_RATE_PER_SECOND", default_value_t = RateLimitConfig::default().per_second)]
    rate_per_second: u32,
    /// Burst size of the per-key token bucket.
    #[arg(long, env = "SANDBOX_RATE_BURST", default_value_t = RateLimitConfig::default().burst)]
    rate_burst: u32,
    /// A fault for every partner, as KIND:PERCENT (error, stall, reset, lose_response).
    #[arg(long = "fault")]
    faults: Vec<String>,
    /// Fault rules as JSON: {"rules":[{"kind":"stall","percent":10,"stall_seconds":3}]}.
    #[arg(long)]
    faults_json: Option<String>,
    /// Seed of memos, fault dice and demo data.
    #[arg(long, default_value_t = SandboxConfig::default().seed)]
    seed: u64,
}

fn parse_fault(text: &str) -> Result<FaultRule, String> {
    let (kind, percent) = text.split_once(':').ok_or("a fault is KIND:PERCENT")?;
    let kind = match kind {
        "error" => FaultKind::Error,
        "stall" => FaultKind::Stall,
        "reset" => FaultKind::Reset,
        "lose_response" => FaultKind::LoseResponse,
        other => return Err(format!("unknown fault kind {other:?}")),
    };
    let percent = percent.parse().map_err(|_| format!("bad percent {percent:?}"))?;
    Ok(FaultRule { kind, percent, count: None, method: None, path_prefix: None, stall_seconds: None, status: None })
}

fn config(args: &Args) -> Result<SandboxConfig, String> {
    let mut faults = args.faults.iter().map(|f| parse_fault(f)).collect::<Result<Vec<_>, _>>()?;
    if let Some(json) = &args.faults_json {
        let set: FaultSet = serde_json::from_str(json).map_err(|e| format!("--faults-json: {e}"))?;
        faults.extend(set.rules);
    }
    for key in &args.keys {
        if !key.starts_with("osk_") || key.len() < 8 {
            return Err("every --key must be an osk_… key".into());
        }
    }
    let mut config = SandboxConfig {
        demo: args.demo,
        faults,
        seed: args.seed,
        rate_limit: RateLimitConfig { per_second: args.rate_per_second, burst: args.rate_burst },
        ..SandboxConfig::default()
    };
    if !args.keys.is_empty() {
        config.partners = args.keys.iter().map(|k| PartnerConfig::new(k.clone())).collect();
    }
    Ok(config)
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .init();
    let args = Args::parse();
    let config = match config(&args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("openmoney-sandbox: {message}");
            return std::process::ExitCode::from(2);
        }
    };
    let partners = config.partners.len();
    let listener = match tokio::net::TcpListener::bind(args.listen).await {
        Ok(listener) => listener,
        Err(err) => {
            eprintln!("openmoney-sandbox: cannot listen on {}: {err}", args.listen);
            return std::process::ExitCode::FAILURE;
        }
    };
    let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
    println!("openmoney-sandbox listening on http://{addr}/api/v1 ({partners} partner(s), demo: {})", args.demo);
    if args.keys.is_empty() {
        println!("no --key given; use the demo key: Authorization: Bearer {DEMO_KEY}");
    }
    let sandbox = Sandbox::new(config);
    match sandbox.serve(listener, shutdown_signal()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("openmoney-sandbox: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
