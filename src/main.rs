//! `ctv`: parse the command line, pick the terminal app or a subcommand, nothing else.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = match ctv::cli::Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            // clap prints help/version to stdout (exit 0) and usage errors to stderr (exit 2).
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    if cli.command.is_some() || !std::io::IsTerminal::is_terminal(&std::io::stdout()) {
        quiet_on_closed_pipe();
    }
    ctv::cli::run(cli)
}

/// `ctv facilities list | head`: when the reader goes away, end quietly as other command-line
/// tools do (the default action of SIGPIPE), instead of Rust's "failed printing to stdout"
/// panic. Not for the terminal app, which restores the terminal on its own way out.
fn quiet_on_closed_pipe() {
    #[cfg(unix)]
    // SAFETY: called once at start-up, before any other thread exists; it only restores the
    // default action of one signal.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}
