//! Configuration: `profiles.toml`, secret sources and config paths.
//! One test binary (`cargo test --test config`).

mod profiles;
