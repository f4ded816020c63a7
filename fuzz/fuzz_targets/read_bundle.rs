//! Arbitrary bytes into the bundle reader: it must return Ok or Err, never panic, hang or
//! allocate without bound (the caps are lowered so each run stays small).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = ctv::bundle::ReadLimits {
        max_entry: 4 << 20,
        max_total: 16 << 20,
        ..ctv::bundle::ReadLimits::default()
    };
    let _ = ctv::bundle::read_bundle_bytes(data, &limits);
});
