package dev.marathon.runtime;

import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The event loop of one connection's gRPC channel, ended with the connection. gRPC's shared loop
 * outlives its channels by a second, its thread waiting in native code (epoll); at exit HotSpot
 * gives such threads 30 × 10 ms to come back, so every short command paid 0.3 s for it.
 */
final class ChannelLoop implements AutoCloseable {
  private final EventLoopGroup group = new NioEventLoopGroup(1, new DefaultThreadFactory("marathon-grpc", true));

  /** Puts the channel on this loop (the SDK's builder is gRPC's Netty one; anything else keeps its own). */
  void initialize(ManagedChannelBuilder<?> channel) {
    if (channel instanceof NettyChannelBuilder netty) netty.eventLoopGroup(group).channelType(NioSocketChannel.class);
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS).awaitUninterruptibly(2_000);
  }
}
