//! A throwaway PostgreSQL server for the proxy's suite on PostgreSQL: the store must run
//! there unchanged (`--database-url postgres://…`) for replicas that share one database.

use std::path::PathBuf;
use std::process::Command;

use crate::{step, Result};

const VERSION_DIRS: &str = "/usr/lib/postgresql";

pub struct Server {
    bin: PathBuf,
    data: PathBuf,
    as_postgres: bool,
    pub url: String,
}

fn bin_dir() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> =
        std::fs::read_dir(VERSION_DIRS).ok()?.flatten().map(|e| e.path().join("bin")).collect();
    versions.sort();
    versions.pop().filter(|b| b.join("initdb").exists())
}

fn is_root() -> bool {
    Command::new("id").arg("-u").output().is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// PostgreSQL refuses to run as root: run its tools as the `postgres` user then.
fn tool(server: &Server, name: &str) -> Command {
    let program = server.bin.join(name);
    if server.as_postgres {
        let mut command = Command::new("runuser");
        command.args(["-u", "postgres", "--"]).arg(program);
        command
    } else {
        Command::new(program)
    }
}

/// Installs PostgreSQL if missing and starts a fresh server on a free loopback port.
pub fn start() -> Result<Server> {
    if bin_dir().is_none() {
        crate::tools::apt_install(&["postgresql"])?;
    }
    let bin = bin_dir().ok_or("PostgreSQL is not installed")?;
    let port =
        std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map_err(|e| e.to_string())?.port();
    let data = std::env::temp_dir().join(format!("openmoney-pg-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    std::fs::create_dir_all(&data).map_err(|e| e.to_string())?;
    let as_postgres = is_root();
    if as_postgres {
        step("chown the PostgreSQL data dir", Command::new("chown").arg("postgres").arg(&data))?;
    }
    let server = Server { bin, data, as_postgres, url: format!("postgres://postgres@127.0.0.1:{port}") };
    step(
        "initdb (a throwaway PostgreSQL)",
        tool(&server, "initdb").args(["-A", "trust", "-U", "postgres", "-D"]).arg(&server.data).arg("--no-sync"),
    )?;
    let options = format!("-p {port} -k {} -c fsync=off", server.data.display());
    let log = server.data.join("server.log");
    step(
        "start PostgreSQL",
        tool(&server, "pg_ctl").arg("-D").arg(&server.data).args(["-w", "-o", &options, "-l"]).arg(&log).arg("start"),
    )?;
    Ok(server)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = tool(self, "pg_ctl").arg("-D").arg(&self.data).args(["-m", "immediate", "stop"]).status();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}
