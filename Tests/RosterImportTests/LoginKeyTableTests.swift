import Testing

@testable import RosterImport

@Suite("login key table")
struct LoginKeyTableTests {
    @Test("every id filed under a tag is offered, through growth, until one matches")
    func candidates() {
        var table = LoginKeyTable()
        // Ten thousand logins, every tenth sharing tag 7 with others: the table grows
        // several times, and shared tags must all stay reachable.
        for id in Int64(1)...10_000 {
            table.insert(tag: id % 10 == 0 ? 7 : UInt32(id * 2_654_435_761 % 4_294_967_291), id: id)
        }
        #expect(table.count == 10_000)
        var offered: [Int64] = []
        #expect(table.first(tag: 7) { offered.append($0); return false } == nil)
        #expect(Set(offered) == Set(stride(from: Int64(10), through: 10_000, by: 10)))
        #expect(table.first(tag: 7) { $0 == 5_000 } == 5_000)
        #expect(table.first(tag: UInt32(3 * 2_654_435_761 % 4_294_967_291)) { _ in true } == 3)
        #expect(table.first(tag: 8) { _ in true } == nil)
    }

    @Test("a key's tag depends on every part of it", arguments: [
        (1, "live", "alice@nhs.net"), (2, "sandpit", "alice@nhs.net"), (1, "sandpit", "alice@nhs.net"), (1, "live", "bob@nhs.net"),
    ])
    func tags(organisation: Int64, environment: String, username: String) {
        let reference = LoginKeyTable.tag(organisationID: 2, environment: .live, username: "alice@nhs.net")
        // The store's bytes and the record's strings give the same tag.
        let fromBytes = "live".utf8.withContiguousStorageIfAvailable { environment in
            "alice@nhs.net".utf8.withContiguousStorageIfAvailable { username in
                LoginKeyTable.tag(organisationID: 2, environment: UnsafeRawBufferPointer(environment), username: UnsafeRawBufferPointer(username))
            }
        }
        #expect(fromBytes == reference)
        #expect(LoginKeyTable.tag(organisationID: organisation, environment: .init(rawValue: environment)!, username: username) != reference)
    }
}
