//! Arbitrary bytes into the receipt reader: the container reader with a receipt's entry, and
//! the receipt's JSON alone. Ok or Err, never a panic, hang or unbounded allocation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = ctv::bundle::receive::parse_receipt(data);
    let limits = ctv::bundle::ReadLimits {
        max_entry: 4 << 20,
        max_total: 16 << 20,
        ..ctv::bundle::ReadLimits::default()
    };
    if let Ok(bundle) = ctv::bundle::read_bundle_bytes(data, &limits) {
        if let Some(entry) = bundle.extra.get(ctv::bundle::receive::RECEIPT_ENTRY) {
            let _ = ctv::bundle::receive::parse_receipt(entry);
        }
    }
});
