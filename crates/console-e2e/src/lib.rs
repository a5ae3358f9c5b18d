//! Browser tests of Openmoney Console live in `tests/browser`. They need the built console
//! (`dist/`, made by `cargo xtask test`) and Chromium with ChromeDriver.
