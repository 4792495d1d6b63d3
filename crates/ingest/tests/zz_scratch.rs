#[test]
fn dump() {
    let t = std::fs::read_to_string("../../data/corpus/good-practices-sud-2016.txt").unwrap();
    let b = ingest::sud::parse("good-practices-sud-2016.txt", &t).unwrap();
    for p in &b.practices { println!("{:?} | {:?} | {} | {}-{} | {}", p.fields.communes, p.fields.themes, p.sources[0].truncated, p.sources[0].first_line, p.sources[0].last_line, p.fields.title); }
    println!("{:#?}", b.warnings);
    let t = std::fs::read_to_string("../../data/corpus/spiral-blegny.txt").unwrap();
    let b = ingest::spiral_criteria::parse("spiral-blegny.txt", &t).unwrap();
    println!("{:#?}", b.platforms); println!("{:#?}", b.groups);
    for c in &b.criteria { println!("{:?} {} {:?} {:?} {:?} {:?} {:?} {:?}", c.id, c.question, c.text, c.component, c.meaning, c.expressions, c.created_at, c.updated_at); }
    println!("{:#?}", b.warnings);
    for f in ["assises-2-fiches.txt","assises-2-wok-differdange.md","good-practices-sud-2016.txt","spiral-blegny.txt"] {
        let t = std::fs::read_to_string(format!("../../data/corpus/{f}")).unwrap();
        println!("{f}: {:?}", ingest::detect::detect(f, &t));
    }
}
