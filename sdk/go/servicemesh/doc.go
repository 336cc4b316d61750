// Service-oriented AWS security groups: declare tiers and services once, get one security group per service and rules that name callers by group, with guardrails at preview time.
package servicemesh
