//! `openmoney-proxy serve | user …`.

fn main() -> std::process::ExitCode {
    openmoney_proxy::process::main()
}
