//! The demo corpus, built into the binary so that `serve --demo` works from anywhere.

pub const CORPUS: &[(&str, &[u8])] = &[
    (
        "assises-2-fiches.txt",
        include_bytes!("../../../data/corpus/assises-2-fiches.txt"),
    ),
    (
        "assises-2-wok-differdange.md",
        include_bytes!("../../../data/corpus/assises-2-wok-differdange.md"),
    ),
    (
        "good-practices-sud-2016.txt",
        include_bytes!("../../../data/corpus/good-practices-sud-2016.txt"),
    ),
    (
        "spiral-blegny.txt",
        include_bytes!("../../../data/corpus/spiral-blegny.txt"),
    ),
];
