// Package moto runs moto_server, an emulator of EC2, S3 and CloudWatch
// Logs, for tests of the live read paths. It installs moto[server] from PyPI into a venv cached in the
// repository's .work/ directory, starts it on 127.0.0.1 on a free port and
// stops it by its PID when the test ends.
//
// moto is right about response shapes, ids, duplicate rules and NotFound
// errors; it is wrong about DependencyViolation (never raised), group-name
// rules and quotas, so tests must not use it as the judge of EC2 semantics.
//
// When moto cannot be installed (no python3, no network) the test is
// skipped, except under CI=true, where it fails: CI must run these tests.
package moto

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// Version is the moto release series the tests are written against.
const Version = "moto[server]>=5.1,<5.3"

var installOnce sync.Once
var installErr error

func venv() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", ".work", "moto-venv")
}

// install installs moto once per machine: test binaries of several
// packages run at once, so they take a file lock around it.
func install() error {
	if err := os.MkdirAll(filepath.Dir(venv()), 0o755); err != nil {
		return err
	}
	lock, err := os.OpenFile(venv()+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return err
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck
	server := filepath.Join(venv(), "bin", "moto_server")
	if _, err := os.Stat(server); err == nil {
		return nil
	}
	steps := [][]string{{"python3", "-m", "venv", venv()}, {filepath.Join(venv(), "bin", "pip"), "install", "-q", Version}}
	for _, s := range steps {
		if out, err := exec.Command(s[0], s[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%v: %w\n%s", s, err, out)
		}
	}
	return nil
}

// Start starts a fresh moto_server and returns its endpoint URL. It sets
// dummy AWS credentials for the test.
func Start(t *testing.T) string {
	t.Helper()
	installOnce.Do(func() { installErr = install() })
	if installErr != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("moto is required in CI: %v", installErr)
		}
		t.Skipf("moto unavailable (set CI=true to make this a failure): %v", installErr)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	cmd := exec.Command(filepath.Join(venv(), "bin", "moto_server"), "-H", "127.0.0.1", "-p", fmt.Sprint(port))
	cmd.Stdout, cmd.Stderr = nil, nil
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting moto_server: %v", err)
	}
	pid := cmd.Process.Pid
	t.Cleanup(func() {
		if p, err := os.FindProcess(pid); err == nil {
			_ = p.Kill()
		}
		_ = cmd.Wait()
	})
	url := fmt.Sprintf("http://127.0.0.1:%d", port)
	for deadline := time.Now().Add(30 * time.Second); ; {
		if resp, err := http.Get(url + "/moto-api/"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("moto_server did not answer on %s within 30s", url)
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	return url
}

// Config is the AWS configuration the tests' clients use, in us-east-1
// with Start's credentials; each client sets moto's endpoint itself (moto
// serves EC2, S3 and CloudWatch Logs on the one endpoint).
func Config(t *testing.T) aws.Config {
	t.Helper()
	cfg, err := config.LoadDefaultConfig(context.Background(), config.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Client is an EC2 client for moto's endpoint, in us-east-1.
func Client(t *testing.T, endpoint string) *ec2.Client {
	t.Helper()
	return ec2.NewFromConfig(Config(t), func(o *ec2.Options) { o.BaseEndpoint = aws.String(endpoint) })
}

// CreateGroup creates a group in the VPC and returns its id.
func CreateGroup(t *testing.T, c *ec2.Client, vpc, name, desc string) string {
	t.Helper()
	out, err := c.CreateSecurityGroup(context.Background(), &ec2.CreateSecurityGroupInput{VpcId: aws.String(vpc),
		GroupName: aws.String(name), Description: aws.String(desc)})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.GroupId)
}

// WebDB is the small account the live tests start from: a VPC 10.9.0.0/16
// with groups web ("web servers") and db ("MySQL"), and db open to web on
// tcp/3306 ("from web").
type WebDB struct {
	Client       *ec2.Client
	VPC, Web, DB string
}

// NewWebDB creates WebDB in the moto at endpoint.
func NewWebDB(t *testing.T, endpoint string) WebDB {
	t.Helper()
	c := Client(t, endpoint)
	vpc, err := c.CreateVpc(context.Background(), &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	f := WebDB{Client: c, VPC: aws.ToString(vpc.Vpc.VpcId)}
	f.Web = CreateGroup(t, c, f.VPC, "web", "web servers")
	f.DB = CreateGroup(t, c, f.VPC, "db", "MySQL")
	f.Ingress(t, f.DB, types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(3306), ToPort: aws.Int32(3306),
		UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String(f.Web), Description: aws.String("from web")}}})
	return f
}

// Ingress authorizes a permission on a group.
func (f WebDB) Ingress(t *testing.T, group string, p types.IpPermission) {
	t.Helper()
	_, err := f.Client.AuthorizeSecurityGroupIngress(context.Background(), &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(group), IpPermissions: []types.IpPermission{p}})
	if err != nil {
		t.Fatal(err)
	}
}
