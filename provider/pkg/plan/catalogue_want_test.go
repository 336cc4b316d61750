package plan_test

// catalogue pins every bad input of badInputs to its exact findings.
var catalogue = map[string][]string{
	"unknown source service": {
		"error [unknown-reference] service \"MySQL\" rule ingress[0]: from names unknown service \"CustomerManagment-API\"; fix: did you mean \"CustomerManagement-API\"?",
	},
	"unknown network": {
		"error [unknown-reference] service \"AdminAccess\" rule ingress[0]: from names unknown network \"ofice\"; fix: did you mean \"office\"?",
	},
	"unknown tier peer": {
		"error [unknown-reference] service \"MySQL\" rule ingress[0]: from names unknown tier \"ap\"; fix: did you mean \"app\"?",
	},
	"unknown attachedWith": {
		"error [unknown-reference] service \"MySQL\" rule attachedWith: attachedWith names unknown service \"AdminAcess\"; fix: did you mean \"AdminAccess\"?",
	},
	"duplicate service": {
		"error [duplicate-name] services[8]: duplicate service name \"MySQL\"; fix: rename one of the services called \"MySQL\"",
	},
	"duplicate tier": {
		"error [duplicate-name] tiers[4]: duplicate tier name \"web\"; fix: rename one of the tiers called \"web\"",
	},
	"duplicate network": {
		"error [duplicate-name] networks[1]: duplicate network name \"office\"; fix: rename one of the networks called \"office\"",
	},
	"port above 65535": {
		"error [invalid-port] service \"MySQL\" rule ingress[0]: port 70000 is outside 0-65535; fix: use a port from 0 to 65535",
	},
	"negative port": {
		"error [invalid-port] service \"MySQL\" rule ingress[0]: port -1 is outside 0-65535; fix: use a port from 0 to 65535",
	},
	"range runs backwards": {
		"error [invalid-port] service \"MySQL\" rule ingress[0]: port range 3307-3306 runs backwards; fix: write it as {from: 3306, to: 3307}",
	},
	"range out of bounds": {
		"error [invalid-port] service \"MySQL\" rule ingress[0]: port range 1024-70000 is outside 0-65535; fix: use ports from 0 to 65535",
	},
	"unknown protocol": {
		"error [invalid-protocol] service \"MySQL\" rule ingress[0]: unknown protocol \"tpc\"; fix: use tcp, udp, icmp, icmpv6, all, or an IP protocol number 0-255",
	},
	"protocol number too big": {
		"error [invalid-protocol] service \"MySQL\" rule ingress[0]: unknown protocol \"256\"; fix: use tcp, udp, icmp, icmpv6, all, or an IP protocol number 0-255",
	},
	"bad CIDR": {
		"error [invalid-cidr] networks[0]: \"203.0.113.0/33\" is not a CIDR block; fix: write a CIDR such as 10.0.0.0/16 or 2001:db8::/32",
	},
	"CIDR with host bits": {
		"error [invalid-cidr] service \"MySQL\" rule ingress[0]: \"10.0.2.7/24\" is not in canonical network form; fix: write it as 10.0.2.0/24",
	},
	"bad tier CIDR": {
		"error [invalid-cidr] tiers[0]: \"10.0.0.0\" is not a CIDR block; fix: write a CIDR such as 10.0.0.0/16 or 2001:db8::/32",
	},
	"network without CIDRs": {
		"error [invalid-cidr] networks[0]: network \"office\" has no cidrBlocks; fix: list its IPv4 or IPv6 CIDRs, e.g. cidrBlocks: [203.0.113.0/24]",
	},
	"undeclared tier": {
		"error [unknown-reference] service \"MySQL\": service is in undeclared tier \"date\"; fix: did you mean \"data\"?",
	},
	"service without tier": {
		"error [unknown-reference] service \"MySQL\": service has no tier; fix: set tier to one of: dmz, web, app, data",
	},
	"ports on protocol all": {
		"error [invalid-port] service \"MySQL\" rule ingress[0]: protocol all covers every port; fix: remove ports/portRange, or use tcp or udp to open specific ports",
	},
	"tcp without ports": {
		"error [invalid-port] service \"MySQL\" rule ingress[0]: tcp rule opens no ports; fix: add ports: [443] or portRange: {from: 1024, to: 65535}",
	},
	"ports on icmp": {
		"error [invalid-port] service \"MySQL\" rule ingress[0]: icmp has no ports; fix: remove ports/portRange; narrow ICMP with icmpType and icmpCode",
	},
	"icmp code without type": {
		"error [invalid-port] service \"MySQL\" rule ingress[0]: icmpCode needs an icmpType; fix: set icmpType, or remove icmpCode",
	},
	"icmp type out of range": {
		"error [invalid-port] service \"MySQL\" rule ingress[0]: icmp type 300 / code -1 is outside -1..255; fix: use an ICMP type and code from 0 to 255, or omit them for all",
	},
	"icmp type on tcp": {
		"error [invalid-port] service \"MySQL\" rule ingress[0]: icmpType/icmpCode apply only to icmp and icmpv6, not tcp; fix: remove icmpType/icmpCode, or set protocol to icmp or icmpv6",
	},
	"icmp to an IPv6 peer": {
		"error [invalid-peer] service \"MySQL\" rule ingress[0]: icmp never matches IPv6 peer 2001:db8::/32; fix: use protocol icmpv6 for IPv6 peers",
	},
	"rule without peers": {
		"error [invalid-peer] service \"MySQL\" rule ingress[0]: rule has no peers in \"from\"; fix: set from: {services: [...]}, networks, tiers, cidrBlocks, prefixListIds, self or internet",
	},
	"bad prefix list": {
		"error [invalid-peer] service \"MySQL\" rule ingress[0]: \"pl-xyz\" is not a prefix list id; fix: use a managed prefix list id such as pl-0123456789abcdef0",
	},
	"tier peer without CIDRs": {
		"error [invalid-peer] service \"MySQL\" rule ingress[0]: from names tier \"app\", which has no cidrBlocks; fix: give tier \"app\" cidrBlocks, or name the services instead",
	},
	"name starting with sg-": {
		"error [invalid-name] service \"sg-web\": service name \"sg-web\" starts with sg-; fix: rename it; EC2 reserves names starting with sg-",
	},
	"name with a space": {
		"error [invalid-name] services[7]: service name \"My SQL\" has characters that are not allowed; fix: use letters, digits, '.', '_' and '-', starting with a letter or digit",
	},
	"bad namePrefix": {
		"error [invalid-name]: namePrefix \"prod/\" has characters EC2 group names do not allow; fix: use letters, digits, '.', '_' and '-'",
	},
	"unknown egress policy": {
		"error [invalid-egress-policy]: unknown egress policy \"deny\"; fix: use allowAll, none or mirror",
	},
	"exception without reason": {
		"error [invalid-exception] service \"MySQL\" rule ingress[0].exceptions[0]: an exception needs a check and a reason; fix: give both check (the guardrail's id) and a written reason",
	},
	"web talks to data": {
		"error [tier-adjacency] service \"MySQL\" rule ingress[0]: FrontEnd-Web (tier web) -> MySQL (tier data) on tcp/3306 skips tier app; fix: route it through a service in tier app, mark a cross-cutting service shared, or add exceptions: [{check: tier-adjacency, reason: ...}] to the rule",
	},
	"dmz talks to data": {
		"error [tier-adjacency] service \"MySQL\" rule ingress[2]: ELB-FrontEnd-Web (tier dmz) -> MySQL (tier data) on tcp/3306 skips tiers web, app; fix: route it through a service in tiers web, app, mark a cross-cutting service shared, or add exceptions: [{check: tier-adjacency, reason: ...}] to the rule",
	},
	"tier peer skips a tier": {
		"error [tier-adjacency] service \"MySQL\" rule ingress[0]: tier web -> MySQL (tier data) on tcp/3306 skips tier app; fix: route it through a service in tier app, mark a cross-cutting service shared, or add exceptions: [{check: tier-adjacency, reason: ...}] to the rule",
	},
	"SSH from the world": {
		"error [world-open-admin-port] service \"AdminAccess\" rule ingress[0]: tcp/22 (SSH 22) is open to 0.0.0.0/0; fix: open it to the callers' groups or networks instead, or add exceptions: [{check: world-open-admin-port, reason: ...}]",
		"error [world-open-admin-port] service \"AdminAccess\" rule ingress[0]: tcp/22 (SSH 22) is open to ::/0; fix: open it to the callers' groups or networks instead, or add exceptions: [{check: world-open-admin-port, reason: ...}]",
	},
	"MySQL from the world": {
		"error [world-open-admin-port] service \"MySQL\" rule ingress[0]: tcp/3306 (MySQL 3306) is open to 0.0.0.0/0; fix: open it to the callers' groups or networks instead, or add exceptions: [{check: world-open-admin-port, reason: ...}]",
	},
	"RDP range from the world": {
		"error [world-open-admin-port] service \"ELB-FrontEnd-Web\" rule ingress[1]: tcp/3000-4000 (RDP 3389, MySQL 3306) is open to 0.0.0.0/0; fix: open it to the callers' groups or networks instead, or add exceptions: [{check: world-open-admin-port, reason: ...}]",
		"error [world-open-admin-port] service \"ELB-FrontEnd-Web\" rule ingress[1]: tcp/3000-4000 (RDP 3389, MySQL 3306) is open to ::/0; fix: open it to the callers' groups or networks instead, or add exceptions: [{check: world-open-admin-port, reason: ...}]",
	},
	"all protocols from the world": {
		"error [world-open-all] service \"ELB-FrontEnd-Web\" rule ingress[0]: every protocol and port is open to ::/0; fix: open it to the callers' groups or networks instead, or add exceptions: [{check: world-open-all, reason: ...}]",
	},
	"world-open service not internet-facing": {
		"error [world-open] service \"FrontEnd-Web\" rule ingress[0]: tcp/443 is open to 0.0.0.0/0 on a service that is not internetFacing; fix: mark the service internetFacing if it is a public endpoint, or open it to the callers' groups or networks instead, or add exceptions: [{check: world-open, reason: ...}]",
	},
	"world-open odd port": {
		"error [world-open] service \"ELB-FrontEnd-Web\" rule ingress[0]: tcp/8080 is open to 0.0.0.0/0; only tcp/80 and tcp/443 may be; fix: open only tcp/80 and tcp/443 to the internet, or open it to the callers' groups or networks instead, or add exceptions: [{check: world-open, reason: ...}]",
		"error [world-open] service \"ELB-FrontEnd-Web\" rule ingress[0]: tcp/8080 is open to ::/0; only tcp/80 and tcp/443 may be; fix: open only tcp/80 and tcp/443 to the internet, or open it to the callers' groups or networks instead, or add exceptions: [{check: world-open, reason: ...}]",
	},
	"exception names an unknown check": {
		"error [unknown-exception] service \"MySQL\" rule ingress[0]: exception names unknown check \"tier-skip\"; fix: use one of: shadowed-rule, tier-adjacency, wide-cidr, world-open, world-open-admin-port, world-open-all",
	},
	"too many inbound rules": {
		"error [quota-rules-per-group] service \"Graphite\": group has 4 inboundRulesPerGroup (IPv4) rules, over the limit of 3; fix: split the service into narrower groups, merge ports into ranges, use a prefix list, or raise the limit with AWS (then set limits); AWS trades rules per group against groups per interface within 1000: e.g. 200x5, 100x10, 62x16 (the article's 250: 50x5, 25x10, 10x25, 5x50); ask AWS for the pair you need and set limits to match",
	},
	"too many groups on an interface": {
		"error [quota-groups-per-interface] service \"MySQL\" rule attachedWith: its network interfaces carry 6 groups (MySQL, AdminAccess, ELK, Graphite, FrontEnd-Web, ELB-FrontEnd-Web), over the limit of 5; fix: attach fewer groups, or raise groupsPerInterface (up to 16) and lower rules per group to stay within the bound; AWS trades rules per group against groups per interface within 1000: e.g. 200x5, 100x10, 62x16 (the article's 250: 50x5, 25x10, 10x25, 5x50); ask AWS for the pair you need and set limits to match",
		// What MySQL's hosts gain by carrying the web tier's groups (issue 21, A).
		"error [tier-adjacency] service \"MySQL\" rule attachedWith: ELB-FrontEnd-Web (tier dmz) -> MySQL (tier data) on tcp/443 skips tiers web, app; fix: remove FrontEnd-Web from MySQL's attachedWith, or declare the access on MySQL's own group",
		"error [tier-adjacency] service \"MySQL\" rule attachedWith: MySQL (tier data) -> FrontEnd-Web (tier web) on tcp/443 skips tier app; fix: remove ELB-FrontEnd-Web from MySQL's attachedWith, or declare the access on MySQL's own group",
		"error [world-open] service \"MySQL\" rule attachedWith: tcp/443 is open to 0.0.0.0/0 on a service that is not internetFacing: it carries ELB-FrontEnd-Web, whose ingress[0] it is; fix: remove ELB-FrontEnd-Web from MySQL's attachedWith, or declare the access on MySQL's own group",
		"error [world-open] service \"MySQL\" rule attachedWith: tcp/443 is open to ::/0 on a service that is not internetFacing: it carries ELB-FrontEnd-Web, whose ingress[0] it is; fix: remove ELB-FrontEnd-Web from MySQL's attachedWith, or declare the access on MySQL's own group",
		"error [world-open] service \"MySQL\" rule attachedWith: tcp/80 is open to 0.0.0.0/0 on a service that is not internetFacing: it carries ELB-FrontEnd-Web, whose ingress[0] it is; fix: remove ELB-FrontEnd-Web from MySQL's attachedWith, or declare the access on MySQL's own group",
		"error [world-open] service \"MySQL\" rule attachedWith: tcp/80 is open to ::/0 on a service that is not internetFacing: it carries ELB-FrontEnd-Web, whose ingress[0] it is; fix: remove ELB-FrontEnd-Web from MySQL's attachedWith, or declare the access on MySQL's own group",
	},
	"limits over AWS's product bound": {
		"error [quota-rules-times-groups] limits: 100 rules per group x 16 groups per interface = 1600, over AWS's bound of 1000; fix: AWS trades rules per group against groups per interface within 1000: e.g. 200x5, 100x10, 62x16 (the article's 250: 50x5, 25x10, 10x25, 5x50); ask AWS for the pair you need and set limits to match",
	},
	"groupsPerInterface above 16": {
		"error [invalid-limits] limits: groupsPerInterface 20 is outside AWS's 1-16; fix: set groupsPerInterface from 1 to 16",
	},
	"more groups than the Region allows": {
		"error [quota-groups-per-region] services: the mesh declares 8 groups, over the limit of 5 per Region; fix: request a higher quota from AWS and set limits.groupsPerRegion, or split the mesh across Regions",
	},
	"rule description EC2 refuses": {
		"error [invalid-description] service \"MySQL\" rule ingress[0]: description \"café <admin>\" is not one EC2 accepts for a rule; fix: use at most 255 letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
	},
	"tag key reserved by AWS": {
		"error [invalid-tag] tags: tag key \"aws:owner\" starts with aws:; fix: rename it; the aws: prefix is reserved",
	},
	"tag key the component sets": {
		"error [invalid-tag] tags: tag key \"Name\" is the component's own; fix: rename it; the component sets this tag on every group",
	},
	"CIDR of the web tier into data": {
		"error [tier-adjacency] service \"MySQL\" rule ingress[0]: 10.0.1.0/24 (overlapping tier web) -> MySQL (tier data) on tcp/3306 skips tier app; fix: route it through a service in tier app, mark a cross-cutting service shared, or add exceptions: [{check: tier-adjacency, reason: ...}] to the rule",
	},
	"network spanning the tiers into data": {
		"error [tier-adjacency] service \"MySQL\" rule ingress[0]: 10.0.0.0/22 (network corp, overlapping tier dmz) -> MySQL (tier data) on tcp/3306 skips tiers web, app; fix: route it through a service in tiers web, app, mark a cross-cutting service shared, or add exceptions: [{check: tier-adjacency, reason: ...}] to the rule",
	},
	"egress from web to the data tier": {
		"error [tier-adjacency] service \"FrontEnd-Web\" rule egress[0]: FrontEnd-Web (tier web) -> tier data on tcp/3306 skips tier app; fix: route it through a service in tier app, mark a cross-cutting service shared, or add exceptions: [{check: tier-adjacency, reason: ...}] to the rule",
	},
	"exception for another check leaves the error": {
		"error [tier-adjacency] service \"MySQL\" rule ingress[0]: FrontEnd-Web (tier web) -> MySQL (tier data) on tcp/3306 skips tier app; fix: route it through a service in tier app, mark a cross-cutting service shared, or add exceptions: [{check: tier-adjacency, reason: ...}] to the rule",
	},
	"exception naming a quota": {
		"error [unknown-exception] service \"MySQL\" rule ingress[0]: check \"quota-rules-per-group\" cannot be acknowledged by a rule's exception; fix: quotas cannot be acknowledged; raise limits to what AWS granted your account; a rule can acknowledge: shadowed-rule, tier-adjacency, wide-cidr, world-open, world-open-admin-port, world-open-all",
	},
	"world-open through a network": {
		"error [world-open] service \"FrontEnd-Web\" rule ingress[0]: tcp/443 is open to 0.0.0.0/0 on a service that is not internetFacing; fix: mark the service internetFacing if it is a public endpoint, or open it to the callers' groups or networks instead, or add exceptions: [{check: world-open, reason: ...}]",
	},
	"udp 443 from the world": {
		"error [world-open] service \"ELB-FrontEnd-Web\" rule ingress[1]: udp/443 is open to ::/0; only tcp/80 and tcp/443 may be; fix: open only tcp/80 and tcp/443 to the internet, or open it to the callers' groups or networks instead, or add exceptions: [{check: world-open, reason: ...}]",
	},
	"ICMP from the world": {
		"error [world-open] service \"ELB-FrontEnd-Web\" rule ingress[1]: icmp/all is open to 0.0.0.0/0; only tcp/80 and tcp/443 may be; fix: open only tcp/80 and tcp/443 to the internet, or open it to the callers' groups or networks instead, or add exceptions: [{check: world-open, reason: ...}]",
	},
	"too many outbound IPv6 rules": {
		"error [quota-rules-per-group] service \"MySQL\": group has 2 outboundRulesPerGroup (IPv6) rules, over the limit of 1; fix: split the service into narrower groups, merge ports into ranges, use a prefix list, or raise the limit with AWS (then set limits); AWS trades rules per group against groups per interface within 1000: e.g. 200x5, 100x10, 62x16 (the article's 250: 50x5, 25x10, 10x25, 5x50); ask AWS for the pair you need and set limits to match",
	},
	"the article's bound with today's rules": {
		"error [quota-rules-times-groups] limits: 60 rules per group x 5 groups per interface = 300, over AWS's bound of 250; fix: AWS trades rules per group against groups per interface within 250: e.g. 50x5, 25x10, 15x16 (the article's 250: 50x5, 25x10, 10x25, 5x50); ask AWS for the pair you need and set limits to match",
	},
	"limits that overflow": {
		"error [quota-rules-times-groups] limits: 4611686018427387904 rules per group x 4 groups per interface is more than 9223372036854775807, over AWS's bound of 1000; fix: AWS trades rules per group against groups per interface within 1000: e.g. 200x5, 100x10, 62x16 (the article's 250: 50x5, 25x10, 10x25, 5x50); ask AWS for the pair you need and set limits to match",
	},
	"negative limit": {
		"error [invalid-limits] limits: outboundRulesPerGroup is negative (-60); fix: use a positive number, or leave it out for AWS's default",
	},
	"names differing only in case": {
		"error [duplicate-name] service \"mysql\": group name \"mysql\" clashes with \"MySQL\" in the same VPC; fix: rename \"MySQL\" or \"mysql\"; EC2 compares group names case-insensitively",
	},
	"group named default": {
		"error [invalid-name] service \"Default\": group name \"Default\" is reserved by EC2; fix: rename the service or set a namePrefix; every VPC already has its default group",
	},
	"namePrefix starting with sg-": {
		"error [invalid-name] namePrefix: namePrefix \"sg-\" makes every group name start with sg-; fix: choose a prefix that does not start with sg-; EC2 reserves it for group ids",
	},
	"namePrefix and name spell sg-": {
		"error [invalid-name] service \"g-Cache\": group name \"sg-Cache\" (namePrefix and service name together) starts with sg-; fix: change the namePrefix or the service name; EC2 reserves sg- for group ids",
	},
	"group name too long for its description": {
		"error [invalid-description] service \"BatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatchBatch\": the group name's 220 characters make the group description 266 characters long, over EC2's 255; fix: shorten the group name (namePrefix and service name) to at most 209 characters",
	},
	"rule description too long": {
		"error [invalid-description] service \"MySQL\" rule ingress[0]: description \"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\" is not one EC2 accepts for a rule; fix: use at most 255 letters, digits, spaces and ._-:/()#,@[]+=&;{}!$*",
	},
	"tag value too long": {
		"error [invalid-tag] tags: tag \"Owner\" has a value of 257 characters; fix: shorten it to 256 characters",
	},
	"tag key too long": {
		"error [invalid-tag] tags: tag key \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\" has 128 characters; fix: use keys of 1 to 127 characters",
	},
	"too many tags": {
		"error [invalid-tag] tags: group AdminAccess would carry 51 tags, more than EC2's 50; fix: use at most 45 tags (the component adds 5 of EC2's 50)",
	},
	"service description too long for its tag": {
		"error [invalid-tag] service \"MySQL\": the service's description is 257 characters, over the 256 of the Description tag it is kept in; fix: shorten the service's description to 256 characters",
	},
}
