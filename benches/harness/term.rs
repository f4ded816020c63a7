//! The real binary in an 80×24 pseudo-terminal read through a vt100 parser: shared by the
//! benchmarks that time the terminal app (`tui`, `backup`).
#![allow(dead_code)] // each benchmark uses part of it

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use portable_pty::{native_pty_system, CommandBuilder, PtySize};

pub struct Term {
    pub raw: Arc<Mutex<Vec<u8>>>,
    pub parser: Arc<Mutex<vt100::Parser>>,
    pub writer: Box<dyn Write + Send>,
    pub child: Box<dyn portable_pty::Child + Send + Sync>,
    _master: Box<dyn portable_pty::MasterPty + Send>,
}

impl Term {
    pub fn spawn(bin: &str, db: &str, home: &str) -> Term {
        let pair = native_pty_system()
            .openpty(PtySize {
                rows: 24,
                cols: 80,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("openpty");
        let mut cmd = CommandBuilder::new(bin);
        cmd.args(["--db", db]);
        cmd.env("TERM", "xterm-256color");
        cmd.env("HOME", home);
        cmd.env("XDG_CONFIG_HOME", home);
        let child = pair.slave.spawn_command(cmd).expect("spawn");
        drop(pair.slave);
        let mut reader = pair.master.try_clone_reader().expect("reader");
        let writer = pair.master.take_writer().expect("writer");
        let raw = Arc::new(Mutex::new(Vec::new()));
        let parser = Arc::new(Mutex::new(vt100::Parser::new(24, 80, 0)));
        let (r, p) = (raw.clone(), parser.clone());
        std::thread::spawn(move || {
            let mut buf = [0u8; 16384];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                r.lock().expect("lock").extend_from_slice(&buf[..n]);
                p.lock().expect("lock").process(&buf[..n]);
            }
        });
        Term {
            raw,
            parser,
            writer,
            child,
            _master: pair.master,
        }
    }
    pub fn len(&self) -> usize {
        self.raw.lock().expect("lock").len()
    }
    pub fn screen(&self) -> String {
        self.parser.lock().expect("lock").screen().contents()
    }
    pub fn send(&mut self, b: &[u8]) {
        self.writer.write_all(b).expect("write");
        self.writer.flush().expect("flush");
    }
    pub fn wait_for(&self, text: &str, limit: Duration) -> Duration {
        let start = Instant::now();
        while start.elapsed() < limit {
            if self.screen().contains(text) {
                return start.elapsed();
            }
            std::thread::sleep(Duration::from_micros(500));
        }
        panic!("timed out waiting for {text:?}:\n{}", self.screen());
    }
    /// Waits until no output has arrived for `quiet`, returns the bytes received meanwhile.
    pub fn settle(&self, since: usize, quiet: Duration) -> usize {
        let mut last = self.len();
        let mut stable = Instant::now();
        while stable.elapsed() < quiet {
            std::thread::sleep(Duration::from_millis(5));
            let now = self.len();
            if now != last {
                last = now;
                stable = Instant::now();
            }
        }
        last - since
    }
    /// `q`, and wait for the app to end.
    pub fn quit(mut self) {
        let _ = self.writer.write_all(b"q");
        let _ = self.writer.flush();
        let _ = self.child.wait();
    }
}
