package dev.orderly.system;

import dev.orderly.testsupport.AuthUser;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A person at the console: a real headless Chromium (Debian's {@code chromium}, driven through its
 * {@code chromium-driver}; {@code ./orderly test} installs both, and nothing is downloaded at run time) that signs in at
 * the auth-server's form as one of its users and then looks at and clicks the page.
 *
 * <p>Invariant: every wait is for a condition on the page, with a deadline; the browser process ends with
 * {@link #close()}.
 */
final class Browser implements AutoCloseable {

    static final Duration DEADLINE = Duration.ofSeconds(60);

    /**
     * Where {@link #screenshot} writes: {@code ORDERLY_SCREENSHOTS} if set (the README's are made with it set to
     * {@code docs/images}, see docs/running.md), else {@code target/screenshots}.
     */
    static final Path SCREENSHOTS = Path.of(System.getenv()
            .getOrDefault(
                    "ORDERLY_SCREENSHOTS", Path.of("target", "screenshots").toString()));

    private final ChromeDriver driver;
    private final String console;

    private Browser(ChromeDriver driver, String console) {
        this.driver = driver;
        this.console = console;
    }

    /** A fresh browser (no cookies) for {@code pipeline}'s console. */
    static Browser open(Pipeline pipeline) {
        ChromeOptions options = new ChromeOptions()
                .setBinary(System.getProperty("orderly.chromium", "/usr/bin/chromium"))
                .addArguments(
                        "--headless=new",
                        "--no-sandbox", // as root in a container; the page is our own, on loopback
                        "--disable-dev-shm-usage",
                        "--disable-gpu",
                        "--window-size=1360,1500",
                        "--lang=en");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new File(System.getProperty("orderly.chromedriver", "/usr/bin/chromedriver")))
                .usingAnyFreePort()
                .build();
        ChromeDriver driver = new ChromeDriver(service, options);
        return new Browser(driver, "http://127.0.0.1:" + pipeline.setting("ORDERLY_CONSOLE_PORT"));
    }

    /** Opens the console, signs in as {@code user} at the auth-server's form, and waits for the page to know them. */
    Browser signIn(Pipeline pipeline, AuthUser user) {
        driver.get(console + "/");
        await(
                "the auth-server's sign-in form",
                d -> !d.findElements(By.name("username")).isEmpty());
        driver.findElement(By.name("username")).sendKeys(user.username());
        driver.findElement(By.name("password")).sendKeys(pipeline.setting(user.passwordKey()));
        driver.findElement(By.cssSelector("button[type=submit]")).click();
        await(
                "the console, signed in as " + user.username(),
                d -> d.getCurrentUrl().startsWith(console) && text("user").equals(user.username()));
        return this;
    }

    /** The text of the element with this id, or "" if there is none. */
    String text(String id) {
        List<WebElement> found = driver.findElements(By.id(id));
        return found.isEmpty() ? "" : found.getFirst().getText().strip();
    }

    /** Waits until {@code condition} holds, then returns what it returned. */
    <T> T await(String what, Function<WebDriver, T> condition) {
        WebDriverWait wait = new WebDriverWait(driver, DEADLINE, Duration.ofMillis(200));
        wait.withMessage(() -> "the console did not show " + what + " within " + DEADLINE.toSeconds() + " s; status: '"
                + text("status") + "' at " + driver.getCurrentUrl());
        wait.ignoring(org.openqa.selenium.StaleElementReferenceException.class);
        return wait.until(condition);
    }

    /** Clicks the element once it is there, finding it again if the page redrew it meanwhile. */
    void click(By by) {
        await("something to click at " + by, d -> {
            d.findElement(by).click();
            return true;
        });
    }

    /** The cells' texts of every row {@code rowSelector} matches, read in one go (the page redraws every 2 s). */
    @SuppressWarnings("unchecked")
    List<List<String>> rows(String rowSelector) {
        return (List<List<String>>) ((JavascriptExecutor) driver)
                .executeScript(
                        "return Array.from(document.querySelectorAll(arguments[0]))"
                                + ".map((row) => Array.from(row.querySelectorAll('td')).map((td) => td.innerText.trim()));",
                        rowSelector);
    }

    /**
     * The texts of every element {@code selector} matches, read in one go inside the page: the overview redraws every
     * 2 s, so elements found first and read after may be gone by then (a stale element reference).
     */
    @SuppressWarnings("unchecked")
    List<String> texts(String selector) {
        return (List<String>) ((JavascriptExecutor) driver)
                .executeScript(
                        "return Array.from(document.querySelectorAll(arguments[0])).map((e) => e.innerText.trim());",
                        selector);
    }

    WebElement find(By by) {
        return driver.findElement(by);
    }

    List<WebElement> findAll(By by) {
        return driver.findElements(by);
    }

    /**
     * What {@code fetch(path, {method})} answers from inside the signed-in page, with the page's CSRF token: a request
     * the page itself would not send (no button for it), as a person who edits the page could. The status and body.
     */
    Map<String, Object> fetch(String method, String path) {
        return fetch(method, path, true);
    }

    /** {@link #fetch(String, String)}, with the page's CSRF token only if {@code csrf}. */
    @SuppressWarnings("unchecked")
    Map<String, Object> fetch(String method, String path, boolean csrf) {
        return (Map<String, Object>) ((JavascriptExecutor) driver).executeAsyncScript("""
                        const done = arguments[arguments.length - 1];
                        const token = document.cookie.split('; ').find((c) => c.startsWith('XSRF-TOKEN='));
                        const headers = {'Accept': 'application/json'};
                        if (arguments[2]) headers['X-XSRF-TOKEN'] = token ? decodeURIComponent(token.substring(11)) : '';
                        fetch(arguments[1], {method: arguments[0], credentials: 'same-origin', headers})
                          .then(async (r) => done({status: r.status, body: await r.text()}))
                          .catch((e) => done({status: -1, body: String(e)}));
                        """, method, path, csrf);
    }

    /** Where the browser is. */
    String url() {
        return driver.getCurrentUrl();
    }

    /** Opens the console's page again, as a person who comes back to it. */
    void reopen() {
        driver.get(console + "/");
    }

    /** Saves what the browser shows, scrolled to the element with id {@code at}, as {@code target/screenshots/<name>}. */
    void screenshot(String name, String at) {
        ((JavascriptExecutor) driver).executeScript("document.getElementById(arguments[0]).scrollIntoView()", at);
        try {
            Files.createDirectories(SCREENSHOTS);
            Path shot =
                    ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, SCREENSHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not save the screenshot " + name, e);
        }
    }

    @Override
    public void close() {
        driver.quit();
    }
}
