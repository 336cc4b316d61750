# One-off generator of the legacy fixture (kept so the fixture can be read as
# intent): a hand-made, CIDR-based VPC as `aws ec2 describe-*` prints it.
import json
OWNER, VPC = "111122223333", "vpc-0legacy000000001"
def perm(proto, ports=None, cidrs=(), v6=(), groups=(), pls=(), desc=None):
    p = {"IpProtocol": proto, "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}
    if ports: p["FromPort"], p["ToPort"] = ports
    d = {"Description": desc} if desc else {}
    p["IpRanges"] = [{"CidrIp": c, **d} for c in cidrs]
    p["Ipv6Ranges"] = [{"CidrIpv6": c, **d} for c in v6]
    p["PrefixListIds"] = [{"PrefixListId": c, **d} for c in pls]
    p["UserIdGroupPairs"] = [{"GroupId": g, "UserId": o, **d} for g, o in groups]
    return p
DEFAULT_EGRESS = [perm("-1", cidrs=["0.0.0.0/0"])]
def sg(n, name, desc, ingress, tags=None, egress=DEFAULT_EGRESS):
    return {"Description": desc, "GroupName": name, "IpPermissions": ingress, "OwnerId": OWNER,
            "GroupId": f"sg-0a00000000000000{n}", "IpPermissionsEgress": egress,
            "Tags": [{"Key": k, "Value": v} for k, v in (tags or {}).items()], "VpcId": VPC}
B = ("sg-0a000000000000001", OWNER)
groups = [
    sg(1, "launch-wizard-1", "launch-wizard-1 created 2019-03-02T10:11:12.000+01:00", [
        perm("tcp", (22, 22), cidrs=["203.0.113.0/24"], desc="office"),
        perm("tcp", (22, 22), cidrs=["0.0.0.0/0"], desc="temp debug - remove"),
    ], {"Name": "bastion host"}),
    sg(2, "web_elb sg", "ELB for the shop", [
        perm("tcp", (80, 80), cidrs=["0.0.0.0/0"], v6=["::/0"]),
        perm("tcp", (443, 443), cidrs=["0.0.0.0/0"], v6=["::/0"]),
    ]),
    sg(3, "WebServers", "web servers", [
        perm("tcp", (443, 443), cidrs=["10.0.0.0/24"], desc="from the ELB subnet"),
        perm("tcp", (22, 22), groups=[B]),
        perm("icmp", (8, -1), cidrs=["10.0.0.0/16"], desc="ping"),
        perm("udp", (8125, 8125), v6=["2001:db8:1::/48"], desc="statsd over IPv6"),
    ], {"Name": "web servers (nginx)", "Team": "shop"}),
    sg(4, "app-tier", "Tomcat API", [
        perm("tcp", (7500, 7500), cidrs=["10.0.1.0/24"]),
        perm("tcp", (7000, 7999), cidrs=["10.0.0.0/16"], desc="legacy range"),
        perm("tcp", (22, 22), groups=[B]),
        perm("tcp", (8080, 8080), groups=[("sg-0fff00000000000aa", "444455556666")], desc="partner poller"),
    ]),
    sg(5, "db", "MySQL", [
        perm("tcp", (3306, 3306), cidrs=["10.0.2.0/24", "10.0.1.0/24"]),
        perm("tcp", (1186, 1186), groups=[("sg-0a000000000000005", OWNER)], desc="cluster"),
        perm("tcp", (22, 22), groups=[B]),
        perm("tcp", (3306, 3306), pls=["pl-0123456789abcdef0"], desc="backup service"),
    ]),
    sg(6, "default", "default VPC security group", [
        perm("-1", groups=[("sg-0a000000000000006", OWNER)]),
    ]),
]
json.dump({"SecurityGroups": groups}, open("describe-security-groups.json", "w"), indent=2)
rules, n = [], 0
for g in groups:
    for egress, perms in ((False, g["IpPermissions"]), (True, g["IpPermissionsEgress"])):
        for p in perms:
            peers = [("CidrIpv4", r["CidrIp"], r) for r in p["IpRanges"]] + [("CidrIpv6", r["CidrIpv6"], r) for r in p["Ipv6Ranges"]] \
                + [("PrefixListId", r["PrefixListId"], r) for r in p["PrefixListIds"]] \
                + [("ReferencedGroupInfo", {"GroupId": r["GroupId"], "UserId": r["UserId"]}, r) for r in p["UserIdGroupPairs"]]
            for key, val, r in peers:
                n += 1
                rule = {"SecurityGroupRuleId": f"sgr-0b{n:015d}", "GroupId": g["GroupId"], "GroupOwnerId": OWNER,
                        "IsEgress": egress, "IpProtocol": p["IpProtocol"], "FromPort": p.get("FromPort", -1),
                        "ToPort": p.get("ToPort", -1), key: val, "Tags": []}
                if "Description" in r: rule["Description"] = r["Description"]
                rules.append(rule)
json.dump({"SecurityGroupRules": rules}, open("describe-security-group-rules.json", "w"), indent=2)
def eni(n, ip, gs):
    return {"NetworkInterfaceId": f"eni-0c00000000000000{n}", "VpcId": VPC, "PrivateIpAddress": ip,
            "PrivateIpAddresses": [{"Primary": True, "PrivateIpAddress": ip}], "Ipv6Addresses": [],
            "Groups": [{"GroupId": f"sg-0a00000000000000{g}", "GroupName": ""} for g in gs]}
enis = [eni(1, "10.0.0.10", [1]), eni(2, "10.0.0.20", [2]), eni(3, "10.0.0.21", [2]), eni(4, "10.0.1.10", [3]),
        eni(5, "10.0.2.10", [4]), eni(6, "10.0.3.10", [5]), eni(7, "10.0.3.11", [5])]
json.dump({"NetworkInterfaces": enis}, open("describe-network-interfaces.json", "w"), indent=2)
