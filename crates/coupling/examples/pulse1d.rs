//! `cargo run --release -p scalebridge-coupling --example pulse1d -- '{"gamma": 0.25}'`: the
//! pulse benchmark with `PulseOptions` given as JSON (the same as `scalebridge bench coupling
//! --case pulse1d --options ...`).

fn main() {
    let arg = std::env::args().nth(1).unwrap_or_else(|| "{}".into());
    let opts: scalebridge_coupling::pulse::PulseOptions = match serde_json::from_str(&arg) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("bad options: {e}");
            std::process::exit(2);
        }
    };
    match scalebridge_coupling::pulse::pulse1d(&opts) {
        Ok(r) => println!("{}", serde_json::to_string(&r).unwrap_or_default()),
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
