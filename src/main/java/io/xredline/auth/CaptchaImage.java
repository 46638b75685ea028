package io.xredline.auth;

import javax.imageio.ImageIO;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.AffineTransform;
import java.awt.geom.CubicCurve2D;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Path2D;
import java.awt.geom.Point2D;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * Renders a captcha code as a distorted PNG without any font: each character is a set of strokes on
 * a 5x7 grid (below), drawn rotated, sheared and wave-warped, over noise curves and dots. Works on
 * a headless JVM in a container with no fontconfig and no font files.
 */
public final class CaptchaImage {
  static {
    // before anything touches AWT: no display, no toolkit, no fonts
    System.setProperty("java.awt.headless", "true");
  }

  public static final int WIDTH = 200;
  public static final int HEIGHT = 70;

  /** Strokes per character: polylines split by '|', points "xy" with x in 0..4 and y in 0..6 (down). */
  private static final Map<Character, String> GLYPHS = Map.ofEntries(
      Map.entry('A', "06 02 20 42 46|04 44"),
      Map.entry('B', "00 30 41 42 33 03|33 44 45 36 06 00"),
      Map.entry('C', "41 30 10 01 05 16 36 45"),
      Map.entry('D', "00 30 41 45 36 06 00"),
      Map.entry('E', "40 00 06 46|03 33"),
      Map.entry('F', "40 00 06|03 33"),
      Map.entry('G', "41 30 10 01 05 16 36 45 43 23"),
      Map.entry('H', "00 06|40 46|03 43"),
      Map.entry('I', "10 30|20 26|16 36"),
      Map.entry('J', "20 40|30 35 26 16 05"),
      Map.entry('K', "00 06|40 03 46"),
      Map.entry('L', "00 06 46"),
      Map.entry('M', "06 00 23 40 46"),
      Map.entry('N', "06 00 46 40"),
      Map.entry('O', "10 30 41 45 36 16 05 01 10"),
      Map.entry('P', "06 00 30 41 42 33 03"),
      Map.entry('Q', "10 30 41 45 36 16 05 01 10|24 46"),
      Map.entry('R', "06 00 30 41 42 33 03|23 46"),
      Map.entry('S', "41 30 10 01 02 13 33 44 45 36 16 05"),
      Map.entry('T', "00 40|20 26"),
      Map.entry('U', "00 05 16 36 45 40"),
      Map.entry('V', "00 26 40"),
      Map.entry('W', "00 16 23 36 40"),
      Map.entry('X', "00 46|40 06"),
      Map.entry('Y', "00 23 40|23 26"),
      Map.entry('Z', "00 40 06 46"),
      Map.entry('0', "10 30 41 45 36 16 05 01 10|05 41"),
      Map.entry('1', "11 20 26|16 36"),
      Map.entry('2', "01 10 30 41 42 06 46"),
      Map.entry('3', "01 10 30 41 42 33 13|33 44 45 36 16 05"),
      Map.entry('4', "36 30 04 44"),
      Map.entry('5', "40 00 03 33 44 45 36 16 05"),
      Map.entry('6', "41 30 10 01 05 16 36 45 44 33 13 04"),
      Map.entry('7', "00 40 41 26"),
      Map.entry('8', "13 02 01 10 30 41 42 33 13 04 05 16 36 45 44 33"),
      Map.entry('9', "42 33 13 02 01 10 30 41 45 36 16 05"));

  private static final SecureRandom SEEDS = new SecureRandom();

  private CaptchaImage() {
  }

  /** {@code data:image/png;base64,…} of the code (letters and digits; shown upper-case). */
  public static String dataUri(String code) {
    return "data:image/png;base64," + Base64.getEncoder().encodeToString(png(code));
  }

  public static byte[] png(String code) {
    BufferedImage image = render(code.toUpperCase(Locale.ROOT), new Random(SEEDS.nextLong()));
    try (ByteArrayOutputStream out = new ByteArrayOutputStream(8192)) {
      ImageIO.write(image, "png", out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static BufferedImage render(String code, Random rnd) {
    BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = image.createGraphics();
    try {
      g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
      g.setRenderingHint(RenderingHints.KEY_STROKE_CONTROL, RenderingHints.VALUE_STROKE_PURE);
      background(g, rnd);
      noiseCurves(g, rnd, 3, 0.8f);
      Wave wave = new Wave(rnd);
      double cell = (WIDTH - 24.0) / code.length();
      for (int i = 0; i < code.length(); i++) {
        String strokes = GLYPHS.get(code.charAt(i));
        if (strokes == null) {
          throw new IllegalArgumentException("no glyph for a captcha character");
        }
        g.setColor(new Color(20 + rnd.nextInt(90), 20 + rnd.nextInt(90), 40 + rnd.nextInt(110)));
        g.setStroke(new BasicStroke(2.6f + rnd.nextFloat() * 1.2f, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        AffineTransform t = new AffineTransform();
        t.translate(12 + cell * i + cell / 2 + (rnd.nextDouble() - 0.5) * 6, HEIGHT / 2.0 + (rnd.nextDouble() - 0.5) * 10);
        t.rotate((rnd.nextDouble() - 0.5) * 0.6);
        t.shear((rnd.nextDouble() - 0.5) * 0.4, 0);
        double scale = 5.6 + rnd.nextDouble() * 1.2;
        t.scale(scale * (0.72 + rnd.nextDouble() * 0.18), scale);
        t.translate(-2, -3);
        g.draw(glyph(strokes, t, wave));
      }
      noiseCurves(g, rnd, 2, 1.0f);
      dots(g, rnd, 160);
    } finally {
      g.dispose();
    }
    return image;
  }

  /** A sine warp over the whole image, so neighbouring characters bend together. */
  private record Wave(double ax, double ay, double lx, double ly, double px, double py) {
    Wave(Random rnd) {
      this(1.5 + rnd.nextDouble() * 1.5, 2.5 + rnd.nextDouble() * 2.5, 35 + rnd.nextDouble() * 25,
          45 + rnd.nextDouble() * 30, rnd.nextDouble() * Math.PI * 2, rnd.nextDouble() * Math.PI * 2);
    }

    Point2D apply(Point2D p) {
      return new Point2D.Double(p.getX() + ax * Math.sin(p.getY() / ly * 2 * Math.PI + px),
          p.getY() + ay * Math.sin(p.getX() / lx * 2 * Math.PI + py));
    }
  }

  private static Path2D glyph(String strokes, AffineTransform t, Wave wave) {
    Path2D path = new Path2D.Double();
    for (String stroke : strokes.split("\\|")) {
      List<Point2D> points = new ArrayList<>();
      for (String xy : stroke.trim().split(" ")) {
        points.add(t.transform(new Point2D.Double(xy.charAt(0) - '0', xy.charAt(1) - '0'), null));
      }
      // subdivide so the warp bends straight segments too
      Point2D first = wave.apply(points.get(0));
      path.moveTo(first.getX(), first.getY());
      for (int i = 1; i < points.size(); i++) {
        Point2D a = points.get(i - 1);
        Point2D b = points.get(i);
        for (int k = 1; k <= 6; k++) {
          double f = k / 6.0;
          Point2D w = wave.apply(new Point2D.Double(a.getX() + (b.getX() - a.getX()) * f, a.getY() + (b.getY() - a.getY()) * f));
          path.lineTo(w.getX(), w.getY());
        }
      }
    }
    return path;
  }

  private static void background(Graphics2D g, Random rnd) {
    g.setColor(new Color(230 + rnd.nextInt(20), 230 + rnd.nextInt(20), 225 + rnd.nextInt(25)));
    g.fillRect(0, 0, WIDTH, HEIGHT);
    for (int i = 0; i < 500; i++) {
      g.setColor(new Color(190 + rnd.nextInt(50), 190 + rnd.nextInt(50), 190 + rnd.nextInt(50)));
      g.fillRect(rnd.nextInt(WIDTH), rnd.nextInt(HEIGHT), 1 + rnd.nextInt(2), 1 + rnd.nextInt(2));
    }
  }

  private static void noiseCurves(Graphics2D g, Random rnd, int count, float width) {
    for (int i = 0; i < count; i++) {
      g.setColor(new Color(120 + rnd.nextInt(90), 120 + rnd.nextInt(90), 120 + rnd.nextInt(90)));
      g.setStroke(new BasicStroke(width + rnd.nextFloat(), BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
      g.draw(new CubicCurve2D.Double(
          -5, rnd.nextInt(HEIGHT), rnd.nextInt(WIDTH / 2), rnd.nextInt(HEIGHT),
          WIDTH / 2.0 + rnd.nextInt(WIDTH / 2), rnd.nextInt(HEIGHT), WIDTH + 5, rnd.nextInt(HEIGHT)));
    }
  }

  private static void dots(Graphics2D g, Random rnd, int count) {
    for (int i = 0; i < count; i++) {
      g.setColor(new Color(rnd.nextInt(160), rnd.nextInt(160), rnd.nextInt(160)));
      double r = 0.6 + rnd.nextDouble() * 1.4;
      g.fill(new Ellipse2D.Double(rnd.nextInt(WIDTH), rnd.nextInt(HEIGHT), r, r));
    }
  }

  static boolean canDraw(char c) {
    return GLYPHS.containsKey(Character.toUpperCase(c));
  }
}
