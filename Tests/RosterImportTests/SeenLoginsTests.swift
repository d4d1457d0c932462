import Testing

@testable import RosterImport

@Suite("logins named in a run")
struct SeenLoginsTests {
    @Test("each id keeps where it was named, in order or far beyond the rest, however the array grows past it")
    func locations() {
        var seen = SeenLogins(logins: 10)
        seen.mark(4_294_967_295, at: 7)
        seen.mark(1_500, at: 8)
        for id in Int64(1)...3_000 where id != 1_500 { seen.mark(id, at: UInt64(id) << 1) }
        #expect(seen.location(of: 4_294_967_295) == 7)
        #expect(seen.location(of: 1_500) == 8)
        #expect((Int64(1)...3_000).allSatisfy { $0 == 1_500 || seen.location(of: $0) == UInt64($0) << 1 })
        #expect(seen.location(of: 3_001) == nil)
        #expect(seen.location(of: 4_294_967_294) == nil)
    }
}
