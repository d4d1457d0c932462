import Foundation
import MFAStore

/// Reads a CSV user list: a header row names the columns (any common spelling, or
/// as mapped with `--map`), each further row is one user.
final class CSVUserListReader: UserListReader {
    let input: FileInput
    private var tokenizer: CSVTokenizer
    private let file: String
    private var columns: [(index: Int, field: UserField)] = []
    private var headerCount = 0
    private var headerRead = false
    private(set) var fileProblems: [Problem] = []
    private(set) var notes: [String] = []
    private let headerMap: [UserField: String]
    private let suppliedFields: Set<UserField>
    private var record = CSVTokenizer.Record()

    /// - Parameters:
    ///   - headerMap: `--map field=Header` overrides.
    ///   - suppliedFields: fields given on the command line (`--org`, `--env`), which
    ///     the file may then leave out.
    init(path: String, displayName: String, headerMap: [UserField: String], suppliedFields: Set<UserField>) throws(ImportError) {
        input = try FileInput(path: path)
        tokenizer = CSVTokenizer(input: input)
        file = displayName
        self.headerMap = headerMap
        self.suppliedFields = suppliedFields
    }

    var bytesDelivered: Int64 { input.bytesRead }

    func readRecords(_ deliver: (consuming RawUserRecord) -> Bool) throws(ImportError) {
        while let record = try next() {
            guard deliver(record) else { return }
        }
    }

    private func next() throws(ImportError) -> RawUserRecord? {
        if !headerRead {
            headerRead = true
            guard try tokenizer.next(into: &record) else {
                fileProblems.append(Problem(SourceLocation(file: file, line: 1), field: nil, tokenizer.fileProblem?.message ?? "the file is empty; a header row is required"))
                return nil
            }
            readHeader(record)
            guard fileProblems.isEmpty else { return nil }
        }
        // After an unterminated quote the rest of the file is one runaway field: report
        // the quote, not the garbage it swallowed.
        guard try tokenizer.next(into: &record), tokenizer.fileProblem == nil else {
            if let problem = tokenizer.fileProblem {
                fileProblems.append(Problem(SourceLocation(file: file, line: problem.line), field: nil, problem.message))
            }
            return nil
        }
        // One copy of the record for all its fields, not one per field read.
        let record = record
        var user = RawUserRecord(location: SourceLocation(file: file, line: record.line))
        for (index, field) in columns where index < record.fieldCount {
            if let value = record.trimmedField(index) { user[field] = value }
        }
        for (index, message) in record.problems {
            user.problems.append(Problem(user.location, field: fieldName(atColumn: index), message))
        }
        if record.fieldCount > headerCount {
            user.problems.append(Problem(user.location, field: nil, "\(record.fieldCount) fields, but the header has \(headerCount); quote fields that contain commas"))
        }
        return user
    }

    private func fieldName(atColumn index: Int) -> String {
        columns.first(where: { $0.index == index })?.field.name ?? "column \(index + 1)"
    }

    private func readHeader(_ header: CSVTokenizer.Record) {
        let location = SourceLocation(file: file, line: header.line)
        for (index, message) in header.problems {
            fileProblems.append(Problem(location, field: "header column \(index + 1)", message))
        }
        headerCount = header.fields.count
        let names = header.fields.map(\.trimmedWhitespace)
        var claimed = [UserField: Int]()
        var unused = [String]()
        for (index, name) in names.enumerated() {
            // --map wins; a column that merely looks like a mapped field is not used for it.
            let field: UserField
            if let mapped = headerMap.first(where: { $0.value.matchingKey == name.matchingKey })?.key {
                field = mapped
            } else if let natural = UserField(matching: name), headerMap[natural] == nil {
                field = natural
            } else {
                unused.append(name.isEmpty ? "column \(index + 1)" : name)
                continue
            }
            if let earlier = claimed[field] {
                fileProblems.append(Problem(location, field: field.name, "columns \(earlier + 1) ('\(names[earlier])') and \(index + 1) ('\(name)') both mean \(field.name); use --map to choose"))
                continue
            }
            claimed[field] = index
            columns.append((index, field))
        }
        for (field, header) in headerMap where claimed[field] == nil {
            fileProblems.append(Problem(location, field: field.name, "--map names column '\(header)', which the header does not have"))
        }
        if !unused.isEmpty {
            notes.append("\(file): ignoring \(unused.count == 1 ? "column" : "columns") \(unused.map { "'\($0)'" }.joined(separator: ", ")), which the importer does not use")
        }
        var missing = [String]()
        for field in [UserField.organisation, .username, .environment] where claimed[field] == nil && !suppliedFields.contains(field) {
            missing.append(field.name)
        }
        if claimed[.displayName] == nil && (claimed[.givenName] == nil || claimed[.familyName] == nil) {
            missing.append("display_name (or given_name and family_name)")
        }
        if !missing.isEmpty {
            let options = missing.contains("organisation") || missing.contains("environment") ? "; --org and --env can supply organisation and environment" : ""
            fileProblems.append(Problem(location, field: nil, "missing required \(missing.count == 1 ? "column" : "columns"): \(missing.joined(separator: ", "))\(options)"))
        }
    }
}
