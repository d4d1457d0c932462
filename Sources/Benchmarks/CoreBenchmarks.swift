import Crypto
import Foundation
import OTP

/// TOTP codes per second on one core.
func benchmarkTOTP() throws -> [Figure] {
    let totp = try TOTP(secret: Secret.random())
    let count = 1_000_000
    var checksum = 0
    let elapsed = seconds {
        for step in 0..<count { checksum &+= totp.code(step: UInt64(step)).utf8.count }
    }
    precondition(checksum == count * 6)
    return [
        Figure("totp", "codes/s (one core)", Double(count) / elapsed, "codes/s"),
        Figure("totp", "peak RSS", peakResidentMiB(), "MiB"),
    ]
}

/// The cost of hashing one recovery code at several work factors, the chosen one first.
func benchmarkRecoveryCodeHashing() throws -> [Figure] {
    let pepper = SymmetricKey(size: .bits256)
    let codes = RecoveryCode.generate(count: 2_000)
    var figures = [Figure]()
    for rounds in [RecoveryCodeHasher.defaultRounds, 1, 16, 64, 256, 1_000, 10_000] where rounds != RecoveryCodeHasher.defaultRounds || figures.isEmpty {
        let hasher = RecoveryCodeHasher(pepper: pepper, rounds: rounds)
        let sample = rounds >= 10_000 ? Array(codes.prefix(200)) : codes
        var sets = [[UInt8]]()
        // Ten at a time, as enrolment hashes a login's codes.
        let elapsed = try seconds { sets = try stride(from: 0, to: sample.count, by: 10).map { try hasher.hash(Array(sample[$0..<$0 + 10])) } }
        let chosen = rounds == RecoveryCodeHasher.defaultRounds ? " (chosen)" : ""
        figures.append(Figure("recovery-hash", "hash one code, \(rounds) rounds\(chosen)", elapsed / Double(sample.count) * 1e6, "µs"))
        if rounds == RecoveryCodeHasher.defaultRounds {
            // Redeeming derives every slot of the login's set, so the time does not say which matched.
            let redeemElapsed = try seconds { for (index, set) in sets.enumerated() { _ = try hasher.slot(matching: sample[index * 10], in: set) } }
            figures.append(Figure("recovery-hash", "redeem one code (ten slots), \(rounds) rounds", redeemElapsed / Double(sets.count) * 1e6, "µs"))
            figures.append(Figure("recovery-hash", "ten codes per login, one core", Double(sample.count) / 10 / elapsed, "logins/s"))
        }
    }
    return figures
}
