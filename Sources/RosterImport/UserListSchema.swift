/// The XSD of the XML user list, version 1. `Samples/user-list-v1.xsd` is the published
/// copy; a test keeps the two identical.
public enum UserListSchema {
    public static let namespace = "urn:inhealthcare:mfa:user-list:1"
    public static let version = "1"

    public static let xsd = #"""
        <?xml version="1.0" encoding="UTF-8"?>
        <!--
          User list for mfa-import, version 1.
          Namespace: urn:inhealthcare:mfa:user-list:1
          Root: <userList version="1">, holding any number of <user> elements.
          Each <user> has, in this order: organisation?, environment?, username, email?,
          displayName?, givenName?, familyName?, roles?, userType?, status?.
          organisation and environment may be left out when mfa-import is given them as
          options (org, env); displayName may be left out when givenName and familyName
          are given.
        -->
        <xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema"
                   xmlns="urn:inhealthcare:mfa:user-list:1"
                   targetNamespace="urn:inhealthcare:mfa:user-list:1"
                   elementFormDefault="qualified">

          <xs:element name="userList">
            <xs:complexType>
              <xs:sequence>
                <xs:element name="user" type="User" minOccurs="0" maxOccurs="unbounded"/>
              </xs:sequence>
              <xs:attribute name="version" type="xs:string" use="required" fixed="1"/>
            </xs:complexType>
          </xs:element>

          <xs:complexType name="User">
            <xs:sequence>
              <xs:element name="organisation" type="OrganisationCode" minOccurs="0"/>
              <xs:element name="environment" type="Environment" minOccurs="0"/>
              <xs:element name="username" type="Username"/>
              <xs:element name="email" type="Email" minOccurs="0"/>
              <xs:element name="displayName" type="Name" minOccurs="0"/>
              <xs:element name="givenName" type="Name" minOccurs="0"/>
              <xs:element name="familyName" type="Name" minOccurs="0"/>
              <xs:element name="roles" type="Roles" minOccurs="0"/>
              <xs:element name="userType" type="UserType" minOccurs="0"/>
              <xs:element name="status" type="Status" minOccurs="0"/>
            </xs:sequence>
          </xs:complexType>

          <xs:complexType name="Roles">
            <xs:sequence>
              <xs:element name="role" type="Name" minOccurs="0" maxOccurs="32"/>
            </xs:sequence>
          </xs:complexType>

          <xs:simpleType name="OrganisationCode">
            <xs:restriction base="xs:token">
              <xs:pattern value="[A-Za-z0-9][A-Za-z0-9\-]{0,31}"/>
            </xs:restriction>
          </xs:simpleType>

          <xs:simpleType name="Environment">
            <xs:restriction base="xs:token">
              <xs:enumeration value="Live"/>
              <xs:enumeration value="live"/>
              <xs:enumeration value="LIVE"/>
              <xs:enumeration value="Sandpit"/>
              <xs:enumeration value="sandpit"/>
              <xs:enumeration value="SANDPIT"/>
            </xs:restriction>
          </xs:simpleType>

          <xs:simpleType name="Username">
            <xs:restriction base="xs:token">
              <xs:pattern value="[A-Za-z0-9][A-Za-z0-9._@+'\-]{0,253}"/>
            </xs:restriction>
          </xs:simpleType>

          <xs:simpleType name="Email">
            <xs:restriction base="xs:token">
              <xs:maxLength value="254"/>
              <xs:pattern value="[^@\s]+@[^@\s]+\.[^@\s]+"/>
            </xs:restriction>
          </xs:simpleType>

          <xs:simpleType name="Name">
            <xs:restriction base="xs:string">
              <xs:minLength value="1"/>
              <xs:maxLength value="200"/>
            </xs:restriction>
          </xs:simpleType>

          <xs:simpleType name="UserType">
            <xs:restriction base="xs:token">
              <xs:enumeration value="staff"/>
              <xs:enumeration value="Staff"/>
              <xs:enumeration value="patient"/>
              <xs:enumeration value="Patient"/>
              <xs:enumeration value="service"/>
              <xs:enumeration value="Service"/>
            </xs:restriction>
          </xs:simpleType>

          <xs:simpleType name="Status">
            <xs:restriction base="xs:token">
              <xs:enumeration value="active"/>
              <xs:enumeration value="Active"/>
              <xs:enumeration value="deleted"/>
              <xs:enumeration value="Deleted"/>
            </xs:restriction>
          </xs:simpleType>
        </xs:schema>

        """#

    /// The XSD as the importer compiles it: without its `xs:pattern` facets, which
    /// libxml2's regular-expression engine checks at about 700 instructions a character
    /// (two fifths of the validation). `RecordValidator` refuses every value they refuse,
    /// with the same rules for CSV: a test runs each pattern through libxml2's engine
    /// against the validator.
    static let xsdLessPatterns: String = xsd.split(separator: "\n", omittingEmptySubsequences: false)
        .filter { !$0.contains("<xs:pattern ") }
        .joined(separator: "\n")
}
