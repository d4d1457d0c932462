import Foundation
import SyntheticRoster

/// Imports a generated roster of `count` logins from CSV and from XML into fresh stores,
/// and re-imports the CSV (the all-unchanged path), each as a real `mfa-import` run.
func benchmarkImport(count: Int) throws -> [Figure] {
    let workspace = try BenchWorkspace("import")
    let roster = RosterGenerator(count: count, seed: 7, deletedShare: 0)
    let csv = workspace.path("users.csv")
    let xml = workspace.path("users.xml")
    try RosterWriter.write(roster, format: .csv, to: csv)
    try RosterWriter.write(roster, format: .xml, to: xml)

    var figures: [Figure] = []
    let label = "import \(count / 1000)k"
    for (format, file) in [("CSV", csv), ("XML", xml)] {
        let store = try workspace.freshStore(format)
        // Each run starts with the kernel done writing back the files and stores made
        // before it (half a gigabyte of lists alone), as a nightly import would.
        sync()
        let run = try workspace.tool("mfa-import", [file, "--quiet"], store: store)
        figures.append(Figure(label, "\(format) into a fresh store", Double(count) / run.seconds, "logins/s"))
        figures.append(Figure(label, "\(format) peak RSS", run.peakResidentMiB, "MiB"))
        if format == "CSV" {
            sync()
            let again = try workspace.tool("mfa-import", [file, "--quiet"], store: store)
            figures.append(Figure(label, "CSV re-import, all unchanged", Double(count) / again.seconds, "logins/s"))
            figures.append(Figure(label, "CSV re-import peak RSS", again.peakResidentMiB, "MiB"))
        }
    }
    return figures
}
