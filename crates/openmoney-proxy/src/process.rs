//! The proxy process: its runtime, its signals and its commands (`serve | user …`).

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{user_command, Cli, Command};

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let terminate = async {
        if let Ok(mut signal) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            signal.recv().await;
        }
    };
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down");
}

/// One core: a current-thread runtime, which costs less per request than a scheduler with
/// one worker. More cores: a worker thread on each, sharing one listener.
pub fn main() -> ExitCode {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let mut builder = if cores == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut builder = tokio::runtime::Builder::new_multi_thread();
        builder.worker_threads(cores);
        builder
    };
    match builder.enable_all().build() {
        Ok(runtime) => runtime.block_on(run()),
        Err(err) => {
            eprintln!("openmoney-proxy: cannot start the runtime: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    let cli = Cli::parse();
    match &cli.command {
        Command::User(command) => match user_command(&cli, command).await {
            Ok(message) => {
                println!("{message}");
                ExitCode::SUCCESS
            }
            Err(message) => {
                eprintln!("openmoney-proxy: {message}");
                ExitCode::FAILURE
            }
        },
        Command::Serve(options) => {
            tracing_subscriber::fmt()
                .json()
                .with_env_filter(
                    tracing_subscriber::EnvFilter::try_from_default_env()
                        .unwrap_or_else(|_| "info,tower_http=info".into()),
                )
                .init();
            let config = match cli.serve_config(options) {
                Ok(config) => config,
                Err(message) => {
                    eprintln!("openmoney-proxy: {message}");
                    return ExitCode::from(2);
                }
            };
            let (listen, redirect, origin) = (config.listen, config.http_redirect_listen, config.public_origin.clone());
            let running = match crate::start(config).await {
                Ok(running) => running,
                Err(message) => {
                    eprintln!("openmoney-proxy: {message}");
                    return ExitCode::from(2);
                }
            };
            let listener = match tokio::net::TcpListener::bind(listen).await {
                Ok(listener) => listener,
                Err(err) => {
                    eprintln!("openmoney-proxy: cannot listen on {listen}: {err}");
                    return ExitCode::FAILURE;
                }
            };
            let addr = listener.local_addr().map(|a| a.to_string()).unwrap_or_default();
            let scheme = if running.state.tls.is_some() { "https" } else { "http" };
            println!("Openmoney Console: {scheme}://{addr}/");
            if let Some(redirect) = redirect {
                match tokio::net::TcpListener::bind(redirect).await {
                    Ok(plain) => {
                        let https_port = listener.local_addr().map_or(listen.port(), |a| a.port());
                        tokio::spawn(crate::redirect_to_https(plain, https_port, origin));
                        println!("plain HTTP on {redirect} is redirected to HTTPS");
                    }
                    Err(err) => {
                        eprintln!("openmoney-proxy: cannot listen on {redirect}: {err}");
                        return ExitCode::FAILURE;
                    }
                }
            }
            if running.sandbox.is_some() {
                println!("upstream: the embedded sandbox, with demo data");
            }
            if let Some(password) = &running.first_admin_password {
                println!("first sign-in: admin / {password}  (shown once; change it under Users)");
            }
            match crate::serve(listener, running.state, shutdown_signal()).await {
                Ok(()) => ExitCode::SUCCESS,
                Err(err) => {
                    eprintln!("openmoney-proxy: {err}");
                    ExitCode::FAILURE
                }
            }
        }
    }
}
