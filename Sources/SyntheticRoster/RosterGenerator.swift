import Foundation

/// One synthetic staff-list row.
public struct SyntheticUser: Sendable {
    public var organisation: String
    public var environment: String
    public var username: String
    public var email: String
    public var givenName: String
    public var familyName: String
    public var roles: [String]
    public var userType: String
    public var status: String

    public var displayName: String { "\(givenName) \(familyName)" }
}

/// Realistic user lists of any size from a seed: several organisations, both
/// environments, patients and service accounts, Organisation Admins, deleted users,
/// and names with apostrophes, accents, hyphens and commas.
public struct RosterGenerator: Sequence, Sendable {
    public var count: Int
    public var seed: UInt64
    public var organisations: [String]
    /// Share of users marked deleted, 0...1.
    public var deletedShare: Double

    public init(count: Int, seed: UInt64 = 42, organisationCount: Int? = nil, deletedShare: Double = 0.01) {
        self.count = count
        self.seed = seed
        let organisationCount = organisationCount ?? Swift.max(3, Swift.min(500, count / 2_000))
        self.organisations = (0..<organisationCount).map { Self.organisationCode($0) }
        self.deletedShare = deletedShare
    }

    /// GP practice style codes: a letter and five digits, e.g. `A81001`.
    static func organisationCode(_ index: Int) -> String {
        let letters = Array("ABCDEFGHJKLMNPY")
        return "\(letters[index % letters.count])\(81_001 + index)"
    }

    public func makeIterator() -> Iterator { Iterator(roster: self) }

    public struct Iterator: IteratorProtocol {
        let roster: RosterGenerator
        var generator: SeededGenerator
        var index = 0

        init(roster: RosterGenerator) {
            self.roster = roster
            self.generator = SeededGenerator(seed: roster.seed)
        }

        public mutating func next() -> SyntheticUser? {
            guard index < roster.count else { return nil }
            defer { index += 1 }
            let given = Names.given.randomElement(using: &generator)!
            let family = Names.family.randomElement(using: &generator)!
            // The index keeps usernames unique however many people share a name.
            let local = "\(Names.ascii(given)).\(Names.ascii(family))\(index)"
            let userType: String
            switch Int.random(in: 0..<100, using: &generator) {
            case 0..<84: userType = "staff"
            case 84..<94: userType = "patient"
            default: userType = "service"
            }
            var roles: [String] = []
            if userType == "staff" {
                roles.append(Names.roles.randomElement(using: &generator)!)
                if Int.random(in: 0..<100, using: &generator) < 6 { roles.append("Organisation Admin") }
                if Int.random(in: 0..<100, using: &generator) < 15 { roles.append("Reporting User") }
            } else if userType == "service" {
                roles.append("Reporting User")
            }
            let domain = userType == "patient" ? "example.org" : "nhs.net"
            return SyntheticUser(
                organisation: roster.organisations[Int.random(in: 0..<roster.organisations.count, using: &generator)],
                environment: Int.random(in: 0..<100, using: &generator) < 70 ? "Live" : "Sandpit",
                username: "\(local)@\(domain)",
                email: "\(local)@\(domain)",
                givenName: given,
                familyName: family,
                roles: Array(Set(roles)).sorted(),
                userType: userType,
                status: Double.random(in: 0..<1, using: &generator) < roster.deletedShare ? "deleted" : "active")
        }
    }
}

enum Names {
    static let given = [
        "Alice", "Siân", "Zoë", "Oluwaseun", "Mohammed", "Aoife", "Björn", "Chloé", "Dylan", "Eilidh", "Fatima", "Gráinne",
        "Harry", "Ifeoma", "Jack", "Kirsty", "Liam", "Mei", "Niamh", "Olivia", "Priya", "Rhodri", "Saoirse", "Tomás", "Uma",
        "Victoria", "William", "Xavier", "Yusuf", "Zainab", "Anne-Marie", "Jean-Luc", "Łukasz", "Renée", "Seán",
    ]
    static let family = [
        "Smith", "O'Brien", "Jones", "Williams", "Taylor", "Davies", "Évans", "Thomas", "Johnson", "Roberts", "Walker",
        "Wright", "Robinson", "Thompson", "White", "Hughes", "Edwards", "Green", "Hall", "Wood", "Harris", "Lewis",
        "Martin", "Jackson", "Clarke", "Clark", "Turner", "Hill", "Scott", "Cooper", "Morris", "Ward", "Moore", "King",
        "Watson", "Baker", "Harrison", "Morgan", "Patel", "Young", "Allen", "Mitchell", "James", "Anderson", "Phillips",
        "Lee", "Bell", "Parker", "Davis", "Smith-Jones", "MacDonald", "D'Souza", "Nuñez", "Müller", "Ó Súilleabháin",
        "Okafor", "Nowak", "Kowalski", "Zhang", "de la Cruz", "Wilson, Jr",
    ]
    static let roles = [
        "Clinician", "Nurse", "Care Coordinator", "Administrator", "Pharmacist", "Receptionist", "Read Only",
    ]

    /// A username-safe form of a name: accents dropped, only letters and digits kept.
    static func ascii(_ name: String) -> String {
        let folded = name.lowercased().replacingOccurrences(of: "ł", with: "l")
            .folding(options: .diacriticInsensitive, locale: nil)
        return String(folded.unicodeScalars.filter { ("a"..."z").contains($0) || ("0"..."9").contains($0) }.map(Character.init))
    }
}
