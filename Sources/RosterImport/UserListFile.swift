import MFAStore

/// A whole user list read and validated at once, for tools that act on a list without
/// importing it (`mfa-expire --deleted`).
public enum UserListFile {
    /// Every record of the file in canonical form; throws `ImportError.rejected` with
    /// every problem, as `mfa-import` reports them.
    public static func read(
        _ path: String, format: UserListFormat?, organisation: String?, environment: Environment?, knownRoles: [Role]
    ) throws -> [LoginRecord] {
        guard let format = format ?? UserListFormat(path: path) else { throw ImportError.unknownFormat(path: path) }
        var supplied = Set<UserField>()
        if organisation != nil { supplied.insert(.organisation) }
        if environment != nil { supplied.insert(.environment) }
        let reader: any UserListReader =
            switch format {
            case .csv: try CSVUserListReader(path: path, displayName: path, headerMap: [:], suppliedFields: supplied)
            case .xml: try XMLUserListReader(path: path, displayName: path)
            }
        let validator = RecordValidator(organisationOption: organisation, environmentOption: environment, knownRoles: knownRoles)
        var records: [LoginRecord] = []
        var problems: [Problem] = []
        try reader.readRecords { raw in
            switch validator.validate(raw) {
            case .success(let record): records.append(record)
            case .failure(let failure): problems.append(contentsOf: failure.problems)
            }
            return true
        }
        problems = reader.fileProblems + problems
        if problems.isEmpty && records.isEmpty {
            problems.append(Problem(SourceLocation(file: path, line: 1), field: nil, "no user records"))
        }
        guard problems.isEmpty else { throw ImportError.rejected(problems) }
        return records
    }
}
