// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";
import {ReentrancyGuard} from "@openzeppelin/contracts/utils/ReentrancyGuard.sol";
import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";

/// @title LoraLedgerSettlement
/// @notice Per-epoch settlement of loraledger's Proof of Attribution, posted by several replicas.
///  - Posters are an allowlist the owner manages (addPoster / removePoster). Each poster (one
///    loraledger replica, its own key and outbox) has its OWN epoch sequence 1, 2, 3, ... and its
///    own roots, so replicas never wait on each other or share a nonce.
///  - Each epoch stores a records root (Merkle root over [recordId, EIP-712 digest] leaves) and a
///    CUMULATIVE payout root (leaves [account, cumulative amount that poster owes through this epoch]).
///  - The poster sends the epoch's new money (total) with postEpoch, so claims pay real ETH.
///  - Claims are per poster: claim(poster, ...) pays cumulativeAmount - claimed[poster][account]
///    against that poster's latest payout root (1inch CumulativeMerkleDrop pattern), so claims are
///    idempotent; claimMany gathers every poster's part in one transaction and one transfer.
///  - A poster's claims can never pay out more than that poster funded (paidOut <= funded), so
///    one replica's key, if stolen, cannot drain the money other replicas posted.
///  - A removed poster posts nothing more; what it already posted stays claimable.
///  - Leaves are OpenZeppelin StandardMerkleTree leaves: keccak256(bytes.concat(keccak256(abi.encode(...)))),
///    and proofs are checked with OpenZeppelin MerkleProof (inner nodes hash the sorted pair), the
///    same rules as the library's standardNodeHash.
///  - The owner (OpenZeppelin Ownable) manages posters or hands ownership on; it can never be the
///    zero address, so renounceOwnership is disabled.
contract LoraLedgerSettlement is Ownable, ReentrancyGuard {
    struct PosterState {
        bool allowed;
        /// Last posted epoch of this poster (0 = none).
        uint64 latestEpoch;
        /// Cumulative payout root of latestEpoch.
        bytes32 payoutRoot;
        /// Wei this poster sent with its epochs, and wei its claims paid (one slot: a claim reads
        /// and writes both, and its write is never a zero-to-non-zero one).
        uint128 funded;
        uint128 paidOut;
    }

    /// One poster's part of a claimMany.
    struct PosterClaim {
        address poster;
        uint256 cumulativeAmount;
        bytes32[] proof;
    }

    mapping(address => PosterState) private _posters;
    mapping(address => mapping(uint64 => bytes32)) private _recordsRoots;
    mapping(address => mapping(uint64 => bytes32)) private _payoutRoots;
    /// @notice Cumulative amount each poster already paid each account: claimed[poster][account].
    mapping(address => mapping(address => uint256)) public claimed;

    event PosterAdded(address indexed poster);
    event PosterRemoved(address indexed poster);
    event EpochPosted(address indexed poster, uint64 indexed epoch, bytes32 recordsRoot, bytes32 payoutRoot, uint256 total);
    event Claimed(address indexed poster, address indexed account, uint256 cumulativeAmount, uint256 paid);

    error NotPoster();
    error ZeroAddress();
    error EpochOutOfOrder(uint64 expected, uint64 got);
    error EmptyRecordsRoot();
    error WrongFunding(uint256 expected, uint256 sent);
    error InvalidProof();
    error NothingToClaim();
    error PosterUnderfunded(address poster);
    error TransferFailed();

    /// @param posters_ the first posters (at least one).
    constructor(address[] memory posters_) Ownable(msg.sender) {
        if (posters_.length == 0) revert ZeroAddress();
        for (uint256 i = 0; i < posters_.length; i++) _addPoster(posters_[i]);
    }

    /// @notice Same as transferOwnership (kept under its original name).
    function setOwner(address newOwner) external {
        transferOwnership(newOwner);
    }

    /// @notice Disabled: the contract always has an owner who can manage the posters.
    function renounceOwnership() public pure override {
        revert OwnableInvalidOwner(address(0));
    }

    /// @notice Allows `poster` to post epochs (no-op when it already may). A poster added back keeps its sequence.
    function addPoster(address poster) external onlyOwner {
        _addPoster(poster);
    }

    /// @notice Stops `poster` from posting; what it posted stays claimable.
    function removePoster(address poster) external onlyOwner {
        if (!_posters[poster].allowed) return;
        _posters[poster].allowed = false;
        emit PosterRemoved(poster);
    }

    function isPoster(address poster) external view returns (bool) {
        return _posters[poster].allowed;
    }

    /// @notice Last epoch `poster` posted (0 = none).
    function latestEpoch(address poster) external view returns (uint64) {
        return _posters[poster].latestEpoch;
    }

    /// @notice Cumulative payout root of `poster`'s latest epoch (0 when none or nothing owed).
    function payoutRoot(address poster) external view returns (bytes32) {
        return _posters[poster].payoutRoot;
    }

    /// @notice Wei `poster` funded and wei its claims paid.
    function balanceOf(address poster) external view returns (uint256 funded, uint256 paidOut) {
        PosterState storage p = _posters[poster];
        return (p.funded, p.paidOut);
    }

    /// @notice Records root of `poster`'s epoch (0 when not posted).
    function recordsRoot(address poster, uint64 epoch) external view returns (bytes32) {
        return _recordsRoots[poster][epoch];
    }

    /// @notice Cumulative payout root of `poster`'s epoch (0 when not posted or nothing owed).
    function payoutRootOf(address poster, uint64 epoch) external view returns (bytes32) {
        return _payoutRoots[poster][epoch];
    }

    /// @notice Posts the sender's epoch `epoch` (must be its latestEpoch + 1) with exactly `total` wei attached.
    function postEpoch(uint64 epoch, bytes32 recordsRoot_, bytes32 payoutRoot_, uint256 total) external payable {
        PosterState storage p = _posters[msg.sender];
        if (!p.allowed) revert NotPoster();
        if (epoch != p.latestEpoch + 1) revert EpochOutOfOrder(p.latestEpoch + 1, epoch);
        if (recordsRoot_ == bytes32(0)) revert EmptyRecordsRoot();
        if (msg.value != total || total > type(uint128).max) revert WrongFunding(total, msg.value);
        p.latestEpoch = epoch;
        p.payoutRoot = payoutRoot_;
        p.funded += uint128(total);
        _recordsRoots[msg.sender][epoch] = recordsRoot_;
        _payoutRoots[msg.sender][epoch] = payoutRoot_;
        emit EpochPosted(msg.sender, epoch, recordsRoot_, payoutRoot_, total);
    }

    /// @notice What claim(poster, account, cumulativeAmount, proof) would pay now; 0 if the proof fails.
    function claimable(address poster, address account, uint256 cumulativeAmount, bytes32[] calldata proof)
        external
        view
        returns (uint256)
    {
        if (!_verify(poster, proof, account, cumulativeAmount)) return 0;
        uint256 already = claimed[poster][account];
        return cumulativeAmount > already ? cumulativeAmount - already : 0;
    }

    /// @notice Pays `account` what `poster` owes it beyond what it was already paid. Anyone may call.
    function claim(address poster, address account, uint256 cumulativeAmount, bytes32[] calldata proof)
        external
        nonReentrant
    {
        if (!_verify(poster, proof, account, cumulativeAmount)) revert InvalidProof();
        uint256 amount = _settle(poster, account, cumulativeAmount);
        if (amount == 0) revert NothingToClaim();
        _pay(account, amount);
    }

    /// @notice One claim over several posters: every part must prove; parts with nothing new pay 0;
    ///  reverts NothingToClaim when no part pays. Anyone may call; the sum goes to `account` in one transfer.
    function claimMany(address account, PosterClaim[] calldata parts) external nonReentrant returns (uint256 total) {
        for (uint256 i = 0; i < parts.length; i++) {
            PosterClaim calldata c = parts[i];
            if (!_verify(c.poster, c.proof, account, c.cumulativeAmount)) revert InvalidProof();
            total += _settle(c.poster, account, c.cumulativeAmount);
        }
        if (total == 0) revert NothingToClaim();
        _pay(account, total);
    }

    function _addPoster(address poster) private {
        if (poster == address(0)) revert ZeroAddress();
        if (_posters[poster].allowed) return;
        _posters[poster].allowed = true;
        emit PosterAdded(poster);
    }

    /// Books what `poster` newly owes `account` (0 when nothing); the caller transfers.
    function _settle(address poster, address account, uint256 cumulativeAmount) private returns (uint256 amount) {
        uint256 already = claimed[poster][account];
        if (cumulativeAmount <= already) return 0;
        amount = cumulativeAmount - already;
        PosterState storage p = _posters[poster];
        if (uint256(p.paidOut) + amount > p.funded) revert PosterUnderfunded(poster);
        p.paidOut += uint128(amount); // <= funded, so it fits
        claimed[poster][account] = cumulativeAmount;
        emit Claimed(poster, account, cumulativeAmount, amount);
    }

    function _pay(address account, uint256 amount) private {
        (bool ok, ) = account.call{value: amount}("");
        if (!ok) revert TransferFailed();
    }

    /// A zero payout root (no epoch yet, or nothing owed) proves nothing.
    function _verify(address poster, bytes32[] calldata proof, address account, uint256 cumulativeAmount)
        private
        view
        returns (bool)
    {
        bytes32 root = _posters[poster].payoutRoot;
        if (root == bytes32(0)) return false;
        bytes32 leaf = keccak256(bytes.concat(keccak256(abi.encode(account, cumulativeAmount))));
        return MerkleProof.verifyCalldata(proof, root, leaf);
    }
}
