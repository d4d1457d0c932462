import MFAStore
import Testing

@testable import RosterImport

@Suite("login key table")
struct LoginKeyTableTests {
    @Test("every id filed under a tag is offered, with its fingerprint, through growth, until one matches")
    func candidates() {
        var table = LoginKeyTable()
        // Ten thousand logins, every tenth sharing tag 7 with others: the table grows
        // several times, and shared tags must all stay reachable.
        for id in Int64(1)...10_000 {
            let tag = id % 10 == 0 ? 7 : UInt32(id * 2_654_435_761 % 4_294_967_291)
            table.insert(LoginKeyTable.Hashes(tag: tag, fingerprint: UInt64(id) * 3), id: id)
        }
        #expect(table.count == 10_000)
        var offered: [Int64] = []
        #expect(table.first(tag: 7) { id, fingerprint in offered.append(id); return fingerprint != UInt64(id) * 3 } == nil)
        #expect(Set(offered) == Set(stride(from: Int64(10), through: 10_000, by: 10)))
        #expect(table.first(tag: 7) { _, fingerprint in fingerprint == 15_000 } == 5_000)
        #expect(table.first(tag: UInt32(3 * 2_654_435_761 % 4_294_967_291)) { _, _ in true } == 3)
        #expect(table.first(tag: 8) { _, _ in true } == nil)
    }

    static let reference = LoginRecord(
        location: SourceLocation(file: "f.csv", line: 2), organisation: "A81001", environment: .live, username: "alice@nhs.net",
        email: "alice@nhs.net", displayName: "Alice Smith", roles: [Role("Clinician")], userType: .staff, status: .active)

    @Test("the store's bytes and the record's strings hash alike, NULL e-mail included", arguments: [true, false])
    func storeAndRecordAgree(withEmail: Bool) {
        var record = Self.reference
        if !withEmail { record.email = nil }
        var hasher = LoginHasher(organisation: "A81001")
        func combine(_ text: String?) {
            guard let text else { return hasher.combine(nil as UnsafeRawBufferPointer?) }
            Array(text.utf8).withUnsafeBytes { hasher.combine($0) }
        }
        combine("live")
        combine("alice@nhs.net")
        let tag = hasher.tag
        for field in [record.email, "Alice Smith", "Clinician", "staff", "active"] { combine(field) }
        #expect(LoginKeyTable.Hashes(record) == LoginKeyTable.Hashes(tag: tag, fingerprint: hasher.fingerprint))
    }

    @Test("the tag follows the key alone; the fingerprint follows every field", arguments: [
        "organisation", "environment", "username", "email", "no email", "name", "roles", "type", "status", "name and roles",
    ])
    func sensitivity(change: String) {
        var record = Self.reference
        switch change {
        case "organisation": record.organisation = "A81002"
        case "environment": record.environment = .sandpit
        case "username": record.username = "bob@nhs.net"
        case "email": record.email = "alice.smith@nhs.net"
        case "no email": record.email = nil
        case "name": record.displayName = "Alice Smyth"
        case "roles": record.roles = []
        case "type": record.userType = .service
        case "status": record.status = .deleted
        default:
            // Bytes moved from one field to the next must still change the fingerprint.
            record.displayName = "Alice SmithC"
            record.roles = [Role("linician")]
        }
        let changed = LoginKeyTable.Hashes(record)
        let original = LoginKeyTable.Hashes(Self.reference)
        let keyChanged = ["organisation", "environment", "username"].contains(change)
        #expect((changed.tag != original.tag) == keyChanged)
        #expect(changed.fingerprint != original.fingerprint)
    }
}
